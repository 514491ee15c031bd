import os from 'node:os';
import type { Command } from 'commander';
import { getPlan, listPlans } from '../db/repositories/plans-store.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import type { PlanRecord } from '../domain/plan.ts';
import { createOrchestrator, type RunSummary } from '../graph/orchestrator.ts';
import type { Runtime } from '../main.ts';
import { createOutput } from './output.ts';
import { withRuntime } from './with-runtime.ts';

type Action = (json: boolean, ...args: never[]) => Promise<void>;
type Wrap = (body: Action) => (...args: unknown[]) => Promise<void>;

const orchestratorOf = (rt: Runtime) =>
  createOrchestrator({ db: rt.db, policy: rt.policy, logger: rt.logger, config: rt.config });

/** A person's identity for decisions: `user:<name>`; names are letters, digits and . _ @ - */
function identity(name: string | undefined, flag: string): string {
  if (!name || !/^[A-Za-z0-9._@-]{1,100}$/.test(name)) {
    throw new ValidationError(`${flag} <name> is required: who decides (letters, digits, . _ @ -)`);
  }
  return `user:${name}`;
}

/** run, approvals list / show / approve / reject / request-changes. */
export function registerOrchestratorCommands(program: Command, wrap: Wrap): void {
  program
    .command('run')
    .description('run the orchestrator over open exposures: one durable thread per exposure or fix group')
    .option('--exposure <id...>', 'only these exposures')
    .option('--limit <n>', 'at most this many new threads', (v) => Number.parseInt(v, 10))
    .option('--as <name>', 'who requests the plans (default: cli:<os user>); they can never approve them')
    .option('--json', 'machine-readable output')
    .action(
      wrap(async (json, flags: { exposure?: string[]; limit?: number; as?: string }) => {
        if (flags.limit !== undefined && !(flags.limit > 0))
          throw new ValidationError('--limit must be a positive integer');
        const output = createOutput(json);
        const summary = await withRuntime(async (rt) =>
          (await orchestratorOf(rt)).run({
            exposureIds: flags.exposure,
            limit: flags.limit,
            startedBy: flags.as ? identity(flags.as, '--as') : `cli:${os.userInfo().username}`,
            onProgress: (done, total) => output.progress(`thread ${done}/${total} done`),
          }),
        );
        output.result(summary, () => formatRun(summary));
      }),
    );

  const approvals = program.command('approvals').description('the approval inbox: plans waiting for a human');
  approvals
    .command('list')
    .description('plans by status (default: pending)')
    .option('--status <status>', 'pending, all, or a plan state', 'pending')
    .option('--json', 'machine-readable output')
    .action(
      wrap(async (json, flags: { status: string }) => {
        const plans = await withRuntime((rt) => listPlans(rt.db, { status: flags.status as 'pending' }));
        createOutput(json).result(plans, () =>
          plans.length ? plans.map(formatPlanLine).join('\n') : `no ${flags.status} plans`,
        );
      }),
    );
  approvals
    .command('show')
    .argument('<plan-id>')
    .description('one plan: steps, gate decision, evidence, risk and diff')
    .option('--json', 'machine-readable output')
    .action(
      wrap(async (json, id: string) => {
        const plan = await withRuntime((rt) => getPlan(rt.db, id));
        if (!plan) throw new NotFoundError('plan', id);
        createOutput(json).result(plan, () => formatPlan(plan));
      }),
    );
  const decide = (name: string, decision: 'approve' | 'reject' | 'request_changes', description: string) => {
    const command = approvals
      .command(name)
      .argument('<plan-id>')
      .description(description)
      .requiredOption('--by <name>', 'who decides (recorded as user:<name>; never the requester)')
      .option('--note <text>', 'why (the planner reads it on request-changes)')
      .option('--json', 'machine-readable output');
    if (decision === 'reject') {
      command.option('--accept-risk-until <date>', 'accept the risk until this date instead of leaving it open');
    }
    command.action(
      wrap(async (json, id: string, flags: { by: string; note?: string; acceptRiskUntil?: string }) => {
        const until = flags.acceptRiskUntil ? new Date(flags.acceptRiskUntil) : null;
        if (until && Number.isNaN(until.getTime())) throw new ValidationError('--accept-risk-until: expected a date');
        if (decision === 'request_changes' && !flags.note) throw new ValidationError('--note is required');
        const result = await withRuntime(async (rt) =>
          (await orchestratorOf(rt)).decide({
            planId: id,
            decision,
            by: identity(flags.by, '--by'),
            note: flags.note ?? null,
            acceptRiskUntil: until,
          }),
        );
        createOutput(json).result(result, () =>
          [
            `${result.replayed ? 'already ' : ''}${result.plan.decision?.decision ?? decision}: ${formatPlanLine(result.plan)}`,
            result.thread
              ? `thread ${result.thread.threadId}: ${result.thread.status} (${result.thread.outcome ?? '-'})`
              : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );
  };
  approvals
    .command('rollback')
    .argument('<plan-id>')
    .description('undo an executed plan where possible: delete its unmerged branch, roll back mitigations')
    .requiredOption('--by <name>', 'who rolls back (recorded as user:<name>)')
    .option('--note <text>', 'why')
    .option('--json', 'machine-readable output')
    .action(
      wrap(async (json, id: string, flags: { by: string; note?: string }) => {
        const result = await withRuntime(async (rt) =>
          (await orchestratorOf(rt)).rollback(id, identity(flags.by, '--by'), flags.note ?? null),
        );
        createOutput(json).result(result, () =>
          [
            formatPlanLine(result.plan),
            ...result.undone.map(
              (u) => `  ${u.ok ? 'undone' : 'FAILED'}: ${u.tool}${u.message ? ` (${u.message})` : ''}`,
            ),
          ].join('\n'),
        );
      }),
    );
  decide('approve', 'approve', 'approve a plan: its thread resumes and executes it');
  decide('reject', 'reject', 'reject a plan: the exposures stay open (or accepted until a date)');
  decide('request-changes', 'request_changes', 'send a plan back to the planner with a note');
}

export function formatRun(s: RunSummary): string {
  return [
    `${s.threads} thread(s) in ${s.seconds.toFixed(1)} s${s.resumed ? ` (+${s.resumed} resumed)` : ''}`,
    `  summarized advisories   ${s.summarized}`,
    `  covered by controls     ${s.covered}`,
    `  planned                 ${s.planned}`,
    `  auto-executed (routine) ${s.autoExecuted}`,
    `  awaiting approval       ${s.awaitingApproval}`,
    `  verified                ${s.verified}`,
    `  waiting for next scan   ${s.pendingVerification}`,
    `  rejected                ${s.rejected}`,
    `  escalated               ${s.escalated}`,
    `  failed                  ${s.failed}`,
  ].join('\n');
}

function formatPlanLine(plan: PlanRecord): string {
  const due = plan.approvalExpiresAt ? ` expires ${plan.approvalExpiresAt.toISOString()}` : '';
  return `${plan.id}  ${plan.state}  ${plan.kind}  ${plan.title}  (requested by ${plan.requestedBy}${due})`;
}

function formatPlan(plan: PlanRecord): string {
  return [
    formatPlanLine(plan),
    `  exposures: ${plan.exposureIds.join(', ')}`,
    `  decided by ${plan.decidedBy} (prompt v${plan.promptVersion ?? '-'}), confidence ${plan.confidence ?? '-'}`,
    `  gate (${plan.policyDecision.policyVersion}): ${plan.policyDecision.routine ? 'routine' : 'needs approval'}`,
    ...plan.policyDecision.reasons.map((r) => `    - ${r}`),
    `  rationale: ${plan.rationale ?? '-'}`,
    '  steps:',
    ...plan.steps.map((s) => `    ${s.ordinal + 1}. ${s.tool} ${JSON.stringify(s.args)}`),
    ...(plan.diff ? ['  diff:', ...plan.diff.split('\n').map((l) => `    ${l}`)] : []),
    ...(plan.decision
      ? [
          `  decision: ${plan.decision.decision} by ${plan.decision.decidedBy}${plan.decision.note ? `: ${plan.decision.note}` : ''}`,
        ]
      : []),
  ].join('\n');
}
