import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuditEntry } from '../../../src/domain/audit.ts';
import type { EstateReader, ToolContext } from '../../../tools/context.ts';
import { defineTool, toolError } from '../../../tools/define-tool.ts';
import { type ActionLedger, runTool, ToolOutputError, type ToolRunOptions } from '../../../tools/run-tool.ts';
import { unusedPorts } from '../../helpers/unused-ports.ts';

/** What the in-memory ledger remembers per key, like the `actions` table. */
type LedgerRow = { state: 'started' | 'succeeded' | 'failed'; result?: unknown; error?: string; begins: number };

/** The `actions` table in memory, with the same semantics as src/db/repositories/action-ledger.ts. */
function memoryLedger(): ActionLedger & { rows: Map<string, LedgerRow> } {
  const rows = new Map<string, LedgerRow>();
  return {
    rows,
    async begin(entry) {
      const row = rows.get(entry.key);
      if (!row) {
        rows.set(entry.key, { state: 'started', begins: 1 });
        return { state: 'new' };
      }
      row.begins += 1;
      if (row.state === 'succeeded') return { state: 'succeeded', result: row.result };
      row.state = 'started';
      return { state: 'retry' };
    },
    async finish(key, outcome) {
      const row = rows.get(key)!;
      row.state = outcome.state;
      if (outcome.state === 'succeeded') row.result = outcome.result;
      else row.error = outcome.error;
    },
  };
}

/** A context whose reader fails loudly: the inline tools below never read the estate. */
function context(over: Partial<ToolContext> = {}): ToolContext {
  const reader = new Proxy({} as EstateReader, {
    get(_, name) {
      throw new Error(`reader.${String(name)} is not used here`);
    },
  });
  return {
    reader,
    ...unusedPorts(),
    tickets: {
      create: async () => {
        throw new Error('tickets are not used here');
      },
    },
    dryRun: false,
    timeoutMs: 1000,
    now: () => new Date('2025-01-01T00:00:00Z'),
    ...over,
  };
}

// Counters of how often each tool body ran; reset before every test.
let readRuns = 0;
let actionRuns = 0;
let failNext: 'throw' | 'tool-error' | 'bad-output' | null = null;

const echoName = defineTool({
  name: 'echo_name',
  description: 'Echoes a name.',
  kind: 'read',
  input: z.object({ name: z.string().min(1), times: z.number().int().min(1).default(1) }),
  output: z.object({ greeting: z.string() }),
  async run({ name, times }) {
    readRuns += 1;
    if (name === 'missing') return toolError('No such name. Try list_names.');
    if (name === 'broken') return { greeting: 42 } as unknown as { greeting: string };
    return { greeting: `hello ${name}`.repeat(times) };
  },
});

const sendNote = defineTool({
  name: 'send_note',
  description: 'Sends a note (an action).',
  kind: 'action',
  effects: ['notifies'],
  input: z.object({ to: z.string().min(1), text: z.string() }),
  output: z.object({ id: z.string(), to: z.string(), dryRun: z.boolean() }),
  async run({ to }, ctx) {
    if (ctx.dryRun) return { id: '(dry run)', to, dryRun: true };
    actionRuns += 1;
    const failure = failNext;
    failNext = null;
    if (failure === 'throw') throw new Error('mail server down');
    if (failure === 'tool-error') return toolError('Recipient unknown; check the owner.');
    if (failure === 'bad-output') return { id: 7 } as unknown as { id: string; to: string; dryRun: boolean };
    return { id: `note-${actionRuns}`, to, dryRun: false };
  },
});

describe('runTool', () => {
  let audits: AuditEntry[];
  let ledger: ReturnType<typeof memoryLedger>;
  const options = (over: Partial<ToolRunOptions> = {}): ToolRunOptions => ({
    allowed: ['echo_name', 'send_note'],
    actor: 'agent:test',
    audit: async (entry) => {
      audits.push(entry);
    },
    ledger,
    ...over,
  });

  beforeEach(() => {
    audits = [];
    ledger = memoryLedger();
    readRuns = 0;
    actionRuns = 0;
    failNext = null;
  });

  it('runs an allowed read tool and returns its validated output', async () => {
    const result = await runTool(echoName, { name: 'ada' }, context(), options());
    expect(result).toEqual({ ok: true, output: { greeting: 'hello ada' }, replayed: false });
    expect(readRuns).toBe(1);
    expect(ledger.rows.size).toBe(0);
  });

  it('refuses a tool that is not on the allow-list, without running it, and audits the refusal', async () => {
    const result = await runTool(echoName, { name: 'ada' }, context(), options({ allowed: ['send_note'] }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.code).toBe('NOT_ALLOWED');
    expect(!result.ok && result.message).toContain('echo_name');
    expect(readRuns).toBe(0);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actor: 'agent:test',
      action: 'tool.called',
      subjectType: 'tool',
      subjectId: 'echo_name',
      data: { ok: false, code: 'NOT_ALLOWED', kind: 'read' },
    });
  });

  it('refuses an empty allow-list', async () => {
    const result = await runTool(echoName, { name: 'ada' }, context(), options({ allowed: [] }));
    expect(!result.ok && result.code).toBe('NOT_ALLOWED');
    expect(readRuns).toBe(0);
  });

  it('rejects invalid input naming the field, without running the tool, and audits it', async () => {
    const result = await runTool(echoName, { name: 'ada', times: 0 }, context(), options());
    expect(!result.ok && result.code).toBe('INVALID_INPUT');
    expect(!result.ok && result.message).toMatch(/times/);
    expect(readRuns).toBe(0);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.data).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(String(audits[0]!.data.problems)).toContain('times');
  });

  it('names the whole input when it is not an object', async () => {
    const result = await runTool(echoName, 'ada', context(), options());
    expect(!result.ok && result.message).toContain('(input)');
  });

  it('returns a toolError as data with its recovery hint', async () => {
    const result = await runTool(echoName, { name: 'missing' }, context(), options());
    expect(result).toEqual({ ok: false, code: 'TOOL_ERROR', message: 'No such name. Try list_names.' });
    expect(audits).toHaveLength(1);
    expect(audits[0]!.data).toMatchObject({ ok: false, code: 'TOOL_ERROR', error: 'No such name. Try list_names.' });
  });

  it('refuses an action without an idempotency key, without running it', async () => {
    const result = await runTool(sendNote, { to: 'bob', text: 'hi' }, context(), options());
    expect(!result.ok && result.code).toBe('NO_IDEMPOTENCY_KEY');
    expect(actionRuns).toBe(0);
    expect(ledger.rows.size).toBe(0);
    expect(audits.map((a) => a.data.code)).toEqual(['NO_IDEMPOTENCY_KEY']);
  });

  it('refuses an action with a key but no ledger', async () => {
    const result = await runTool(
      sendNote,
      { to: 'bob', text: 'hi' },
      context({ idempotencyKey: 'k1' }),
      options({ ledger: undefined }),
    );
    expect(!result.ok && result.code).toBe('NO_IDEMPOTENCY_KEY');
    expect(actionRuns).toBe(0);
  });

  it('acts once per key: a second call with the same key replays the stored output', async () => {
    const ctx = context({ idempotencyKey: 'plan-1:step-1', planId: 'plan-1' });
    const first = await runTool(sendNote, { to: 'bob', text: 'hi' }, ctx, options({ stepId: 'step-1' }));
    const second = await runTool(sendNote, { to: 'bob', text: 'hi' }, ctx, options({ stepId: 'step-1' }));
    expect(first).toEqual({ ok: true, output: { id: 'note-1', to: 'bob', dryRun: false }, replayed: false });
    expect(second).toEqual({ ok: true, output: { id: 'note-1', to: 'bob', dryRun: false }, replayed: true });
    expect(actionRuns).toBe(1);
    expect(ledger.rows.get('plan-1:step-1')).toMatchObject({ state: 'succeeded', begins: 2 });
    expect(audits.map((a) => a.data.replayed)).toEqual([false, true]);
  });

  it('acts again for a different key', async () => {
    await runTool(sendNote, { to: 'bob', text: 'hi' }, context({ idempotencyKey: 'k1' }), options());
    const other = await runTool(sendNote, { to: 'bob', text: 'hi' }, context({ idempotencyKey: 'k2' }), options());
    expect(other.ok && other.output).toEqual({ id: 'note-2', to: 'bob', dryRun: false });
    expect(actionRuns).toBe(2);
  });

  it('dry-runs an action without a key or a ledger, and leaves the ledger untouched', async () => {
    const noLedger = await runTool(
      sendNote,
      { to: 'bob', text: 'hi' },
      context({ dryRun: true }),
      options({ ledger: undefined }),
    );
    expect(noLedger).toEqual({ ok: true, output: { id: '(dry run)', to: 'bob', dryRun: true }, replayed: false });
    const keyed = await runTool(
      sendNote,
      { to: 'bob', text: 'hi' },
      context({ dryRun: true, idempotencyKey: 'k1' }),
      options(),
    );
    expect(keyed.ok).toBe(true);
    expect(ledger.rows.size).toBe(0);
    expect(actionRuns).toBe(0);
    expect(audits.map((a) => a.data.dryRun)).toEqual([true, true]);
  });

  it('records a thrown error as FAILED in the ledger, and a later call with the same key retries', async () => {
    const ctx = context({ idempotencyKey: 'k-retry' });
    failNext = 'throw';
    const failed = await runTool(sendNote, { to: 'bob', text: 'hi' }, ctx, options());
    expect(failed).toEqual({ ok: false, code: 'FAILED', message: 'send_note failed: mail server down' });
    expect(ledger.rows.get('k-retry')).toMatchObject({ state: 'failed', error: 'mail server down' });
    expect(audits[0]!.data).toMatchObject({ ok: false, code: 'FAILED', error: 'mail server down' });

    const retried = await runTool(sendNote, { to: 'bob', text: 'hi' }, ctx, options());
    expect(retried).toEqual({ ok: true, output: { id: 'note-2', to: 'bob', dryRun: false }, replayed: false });
    expect(actionRuns).toBe(2);
    expect(ledger.rows.get('k-retry')).toMatchObject({ state: 'succeeded', begins: 2 });
  });

  it('records a toolError of an action as failed in the ledger', async () => {
    failNext = 'tool-error';
    const result = await runTool(sendNote, { to: 'bob', text: 'hi' }, context({ idempotencyKey: 'k3' }), options());
    expect(!result.ok && result.code).toBe('TOOL_ERROR');
    expect(ledger.rows.get('k3')).toMatchObject({ state: 'failed', error: 'Recipient unknown; check the owner.' });
  });

  it('throws when a read tool returns output failing its schema', async () => {
    await expect(runTool(echoName, { name: 'broken' }, context(), options())).rejects.toThrow();
  });

  it('throws when an action returns output failing its schema, and never records it as succeeded', async () => {
    failNext = 'bad-output';
    await expect(
      runTool(sendNote, { to: 'bob', text: 'hi' }, context({ idempotencyKey: 'k4' }), options()),
    ).rejects.toThrow();
    expect(ledger.rows.get('k4')?.state).not.toBe('succeeded');
  });

  it('audits a call whose output fails its schema, then throws ToolOutputError', async () => {
    await expect(runTool(echoName, { name: 'broken' }, context(), options())).rejects.toThrow(ToolOutputError);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.data).toMatchObject({ ok: false, code: 'INVALID_OUTPUT' });
  });

  it('writes exactly one audit entry per call with actor, tool name, kind and idempotency key', async () => {
    const keyed = context({ idempotencyKey: 'k-audit', planId: 'plan-9' });
    const calls: [Parameters<typeof runTool>[0], unknown, ToolContext, Partial<ToolRunOptions>][] = [
      [echoName, { name: 'ada' }, context(), {}],
      [echoName, { name: 'ada' }, context(), { allowed: [] }],
      [echoName, {}, context(), {}],
      [echoName, { name: 'missing' }, context(), {}],
      [sendNote, { to: 'bob', text: 'x' }, context(), {}],
      [sendNote, { to: 'bob', text: 'x' }, keyed, { actor: 'user:carol' }],
      [sendNote, { to: 'bob', text: 'x' }, keyed, { actor: 'user:carol' }],
    ];
    for (const [index, [tool, args, ctx, over]] of calls.entries()) {
      await runTool(tool, args, ctx, options(over));
      expect(audits, `call ${index}`).toHaveLength(index + 1);
    }
    expect(audits.map((a) => [a.actor, a.subjectId, a.data.kind, a.data.idempotencyKey])).toEqual([
      ['agent:test', 'echo_name', 'read', null],
      ['agent:test', 'echo_name', 'read', null],
      ['agent:test', 'echo_name', 'read', null],
      ['agent:test', 'echo_name', 'read', null],
      ['agent:test', 'send_note', 'action', null],
      ['user:carol', 'send_note', 'action', 'k-audit'],
      ['user:carol', 'send_note', 'action', 'k-audit'],
    ]);
    expect(audits.every((a) => a.action === 'tool.called' && a.subjectType === 'tool')).toBe(true);
    expect(audits[5]!.data.planId).toBe('plan-9');
  });
});

describe('defineTool', () => {
  const base = {
    description: 'x',
    input: z.object({ id: z.string() }),
    output: z.object({}),
    run: async () => ({}),
  };

  it.each(['getThing', 'get-thing', 'thing', 'Get_thing', 'get_', '_get_thing', 'get__thing'])(
    'rejects the non snake_case verb_noun name %s',
    (name) => {
      expect(() => defineTool({ ...base, name, kind: 'read' })).toThrow(/snake_case/);
    },
  );

  it('accepts a snake_case verb_noun name and defaults effects to none', () => {
    const tool = defineTool({ ...base, name: 'get_thing2', kind: 'read' });
    expect(tool.name).toBe('get_thing2');
    expect(tool.effects).toEqual([]);
  });

  it('rejects a read tool with effects, and keeps the effects of an action', () => {
    expect(() => defineTool({ ...base, name: 'get_thing', kind: 'read', effects: ['notifies'] })).toThrow(/effects/);
    expect(defineTool({ ...base, name: 'send_thing', kind: 'action', effects: ['notifies'] }).effects).toEqual([
      'notifies',
    ]);
  });

  it('exposes the input as a draft-7 object JSON Schema with its fields', () => {
    const schema = echoName.inputJsonSchema();
    expect(schema.type).toBe('object');
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.properties as Record<string, unknown>).sort()).toEqual(['name', 'times']);
    // io: 'input' -> a field with a default is optional for the caller.
    expect(schema.required).toEqual(['name']);
    expect(echoName.inputJsonSchema()).toBe(schema);
  });
});
