import type { AuditEntry } from '../src/domain/audit.ts';
import { ServiceError } from '../src/domain/errors.ts';
import type { ToolContext } from './context.ts';
import { type AnyTool, isToolFailure } from './define-tool.ts';

/** Result of one tool call: the validated output, or a failure the caller (or model) can act on. */
export type ToolRunResult =
  | { ok: true; output: unknown; replayed: boolean }
  | { ok: false; code: ToolRunFailureCode; message: string };

export type ToolRunFailureCode = 'NOT_ALLOWED' | 'INVALID_INPUT' | 'TOOL_ERROR' | 'NO_IDEMPOTENCY_KEY' | 'FAILED';

/**
 * The idempotency ledger of actions (the `actions` table). `begin` returns the earlier result
 * when the key already succeeded, so a retried worker never repeats an action.
 */
export type ActionLedger = {
  begin(entry: {
    key: string;
    tool: string;
    args: unknown;
    planId?: string;
    stepId?: string;
    dryRun: boolean;
  }): Promise<{ state: 'new' | 'retry' } | { state: 'succeeded'; result: unknown }>;
  finish(
    key: string,
    outcome: { state: 'succeeded'; result: unknown } | { state: 'failed'; error: string },
  ): Promise<void>;
};

export type ToolRunOptions = {
  /** The allow-list of the step or agent: any other tool is refused before it runs. */
  allowed: readonly string[];
  /** Who is calling: `agent:<name>` or `user:<name>`; recorded in the audit log. */
  actor: string;
  audit(entry: AuditEntry): Promise<void>;
  /** Required for action tools (unless dry run): the ledger that makes a key act at most once. */
  ledger?: ActionLedger;
  stepId?: string;
};

/**
 * Runs one tool call: allow-list, input validation, idempotency for actions, output
 * validation, and an audit entry for every call, allowed or not. Tool failures come back as
 * data; faults of the tool itself (output failing its schema) throw.
 */
export async function runTool(
  tool: AnyTool,
  args: unknown,
  context: ToolContext,
  options: ToolRunOptions,
): Promise<ToolRunResult> {
  const audit = (data: Record<string, unknown>) =>
    options.audit({
      actor: options.actor,
      action: 'tool.called',
      subjectType: 'tool',
      subjectId: tool.name,
      data: {
        kind: tool.kind,
        planId: context.planId ?? null,
        idempotencyKey: context.idempotencyKey ?? null,
        dryRun: context.dryRun,
        ...data,
      },
    });
  if (!options.allowed.includes(tool.name)) {
    await audit({ ok: false, code: 'NOT_ALLOWED' });
    return {
      ok: false,
      code: 'NOT_ALLOWED',
      message: `tool "${tool.name}" is not on this step's allow-list (${options.allowed.join(', ') || 'none'})`,
    };
  }
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i: { path: PropertyKey[]; message: string }) => `${i.path.join('.') || '(input)'}: ${i.message}`)
      .join('; ');
    await audit({ ok: false, code: 'INVALID_INPUT', problems });
    return { ok: false, code: 'INVALID_INPUT', message: `invalid arguments for ${tool.name}: ${problems}` };
  }
  const input = parsed.data;
  const acts = tool.kind === 'action' && !context.dryRun;
  const key = context.idempotencyKey;
  if (acts && (!key || !options.ledger)) {
    await audit({ ok: false, code: 'NO_IDEMPOTENCY_KEY' });
    return {
      ok: false,
      code: 'NO_IDEMPOTENCY_KEY',
      message: `action ${tool.name} needs an idempotency key and a ledger`,
    };
  }
  if (acts && key && options.ledger) {
    const begun = await options.ledger.begin({
      key,
      tool: tool.name,
      args: input,
      planId: context.planId,
      stepId: options.stepId,
      dryRun: false,
    });
    if (begun.state === 'succeeded') {
      await audit({ ok: true, replayed: true, args: input });
      // Stored as JSON: parse again so a replay has the same types (dates) as the first call.
      return { ok: true, output: tool.output.parse(begun.result), replayed: true };
    }
  }
  let raw: unknown;
  try {
    raw = await tool.run(input, context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (acts && key) await options.ledger!.finish(key, { state: 'failed', error: message });
    await audit({ ok: false, code: 'FAILED', args: input, error: message });
    return { ok: false, code: 'FAILED', message: `${tool.name} failed: ${message}` };
  }
  if (isToolFailure(raw)) {
    if (acts && key) await options.ledger!.finish(key, { state: 'failed', error: raw.message });
    await audit({ ok: false, code: 'TOOL_ERROR', args: input, error: raw.message });
    return { ok: false, code: 'TOOL_ERROR', message: raw.message };
  }
  const checked = tool.output.safeParse(raw);
  if (!checked.success) {
    // Our bug, not the caller's: recorded (the action may have happened; its key retries it,
    // and action tools are idempotent by key), then thrown.
    const problems = checked.error.issues.map(
      (i: { path: PropertyKey[]; message: string }) => `${i.path.join('.')}: ${i.message}`,
    );
    if (acts && key)
      await options.ledger!.finish(key, { state: 'failed', error: `invalid output: ${problems.join('; ')}` });
    await audit({ ok: false, code: 'INVALID_OUTPUT', args: input, error: problems.join('; ') });
    throw new ToolOutputError(tool.name, problems.join('; '));
  }
  const output = checked.data;
  if (acts && key) await options.ledger!.finish(key, { state: 'succeeded', result: output });
  await audit({ ok: true, replayed: false, args: input });
  return { ok: true, output, replayed: false };
}

/** A tool returned something its own output schema refuses: a fault of the tool, never acted on. */
export class ToolOutputError extends ServiceError {
  constructor(tool: string, problems: string) {
    super('TOOL_OUTPUT_INVALID', `${tool} returned output that fails its schema: ${problems}`, { status: 500 });
  }
}
