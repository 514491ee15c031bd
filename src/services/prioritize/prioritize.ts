import type { Database, Queryable } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { type BatchColumn, batchSource } from '../../db/repositories/batch-input.ts';
import type { AuditEntry } from '../../domain/audit.ts';
import type { Control } from '../../domain/control.ts';
import type { CoverageAssessment, OwnerAssignment, RiskAssessment, SsvcResult } from '../../domain/priority.ts';
import type { CodeownersFile } from '../../prioritize/codeowners.ts';
import { assessCoverage } from '../../prioritize/controls/assess-coverage.ts';
import { isInScope } from '../../prioritize/controls/eligibility.ts';
import { routeOwner } from '../../prioritize/ownership.ts';
import type { Policy } from '../../prioritize/policy.ts';
import { scoreRisk } from '../../prioritize/risk.ts';
import { slaDueDate } from '../../prioritize/sla.ts';
import { decideSsvc } from '../../prioritize/ssvc.ts';
import { type ExposureToPrioritize, loadControls, loadExposurePage } from './load-context.ts';
import { codeownersLoader } from './repository-codeowners.ts';

/** The full, explainable result for one exposure. */
export type Prioritization = {
  exposureId: string;
  coverage: CoverageAssessment;
  ssvc: SsvcResult;
  risk: RiskAssessment;
  owner: OwnerAssignment;
  slaDueAt: Date;
};

export type PrioritizeSummary = {
  exposures: number;
  decisions: Record<string, number>;
  coverage: Record<string, number>;
  triage: number;
  changed: number;
  seconds: number;
};

export type PrioritizeOptions = {
  /** Only these exposures (e.g. the ones that relied on a drifted control). */
  exposureIds?: string[];
  now?: Date;
  actor?: string;
  onProgress?: (done: number) => void;
};

const PAGE = 2000;

/** Pure: the deterministic core applied to one exposure. */
export function prioritizeOne(
  item: ExposureToPrioritize,
  controls: Control[],
  policy: Policy,
  now: Date,
  codeowners?: CodeownersFile,
): Prioritization {
  const coverage = assessCoverage({
    context: item.context,
    asset: item.asset,
    controls,
    now,
    freshnessDays: policy.controls.freshnessDays,
  });
  const ssvc = decideSsvc({ context: item.context, asset: item.asset, coverage, policy });
  const risk = scoreRisk(item.context, item.asset, coverage, policy.risk);
  const owner = routeOwner({
    asset: item.asset,
    context: item.context,
    rules: policy.ownership.rules,
    defaultTriageQueue: policy.ownership.defaultTriageQueue,
    codeowners,
  });
  return {
    exposureId: item.context.exposureId,
    coverage,
    ssvc,
    risk,
    owner,
    slaDueAt: slaDueDate(ssvc.decision, item.context.openedAt, policy),
  };
}

/**
 * Re-computes coverage, SSVC, risk, SLA and owner for active exposures, page by page, each page
 * in one transaction with batched writes. Decision and coverage changes are audited.
 */
export async function prioritizeExposures(
  db: Database,
  policy: Policy,
  options: PrioritizeOptions = {},
): Promise<PrioritizeSummary> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const actor = options.actor ?? 'rules';
  const controls = await loadControls(db);
  const summary: PrioritizeSummary = { exposures: 0, decisions: {}, coverage: {}, triage: 0, changed: 0, seconds: 0 };
  const inScope = new Map<string, Control[]>();
  const codeownersOf = codeownersLoader();
  let pending: Promise<void> = Promise.resolve();
  let after = '';
  for (;;) {
    const page = await loadExposurePage(db, { after, limit: PAGE, ids: options.exposureIds });
    if (!page.length) break;
    after = page[page.length - 1]!.context.exposureId;
    const results = page.map((item) => {
      // Only controls whose scope selects the asset can count; out-of-scope ones are not evidence.
      let scoped = inScope.get(item.asset.id);
      if (!scoped) {
        scoped = controls.filter((control) => isInScope(control, item.asset));
        inScope.set(item.asset.id, scoped);
      }
      return prioritizeOne(item, scoped, policy, now, codeownersOf(item.asset));
    });
    const audit: AuditEntry[] = [];
    page.forEach((item, i) => {
      const result = results[i]!;
      summary.decisions[result.ssvc.decision] = (summary.decisions[result.ssvc.decision] ?? 0) + 1;
      summary.coverage[result.coverage.coverage] = (summary.coverage[result.coverage.coverage] ?? 0) + 1;
      if (result.owner.triage) summary.triage += 1;
      const lost = item.previous.controls.filter(
        (id) => !result.coverage.contributions.some((c) => c.controlId === id),
      );
      const changed =
        item.previous.decision !== result.ssvc.decision || item.previous.coverage !== result.coverage.coverage;
      if (changed) summary.changed += 1;
      // The first prioritization is not a change worth an entry per exposure; later changes are.
      if (changed && item.previous.decision !== null) {
        audit.push({
          actor,
          action: 'exposure.reprioritized',
          subjectType: 'exposure',
          subjectId: result.exposureId,
          data: {
            decision: { from: item.previous.decision, to: result.ssvc.decision },
            coverage: { from: item.previous.coverage, to: result.coverage.coverage },
            lostControls: lost,
            policyVersion: policy.policyVersion,
          },
        });
      }
    });
    // Write this page while the next one loads and computes (server mode has a pool; embedded
    // mode simply queues the next read behind the write).
    await pending;
    pending = db.transaction(async (tx) => {
      await writeResults(tx, results, policy.policyVersion, now);
      await appendAudit(tx, audit);
    });
    summary.exposures += page.length;
    options.onProgress?.(summary.exposures);
    if (page.length < PAGE) break;
  }
  await pending;
  if (!options.exposureIds) {
    await db.transaction((tx) =>
      appendAudit(tx, [
        {
          actor,
          action: 'exposures.prioritized',
          subjectType: 'policy',
          subjectId: policy.policyVersion,
          data: { exposures: summary.exposures, decisions: summary.decisions, changed: summary.changed },
        },
      ]),
    );
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

/** What is stored per exposure: values and contributions; `explain` recomputes the words. */
const RESULT_COLUMNS: BatchColumn<Prioritization>[] = [
  { name: 'id', type: 'text', value: (r) => r.exposureId },
  { name: 'risk_score', type: 'float8', value: (r) => r.risk.score },
  {
    name: 'risk_factors',
    type: 'jsonb',
    value: (r) => r.risk.factors.map((f) => ({ factor: f.factor, value: f.value, contribution: f.contribution })),
  },
  { name: 'ssvc_decision', type: 'text', value: (r) => r.ssvc.decision },
  {
    name: 'ssvc_path',
    type: 'jsonb',
    value: (r) => ({
      row: r.ssvc.tableRow,
      table: r.ssvc.tableDecision,
      path: r.ssvc.path.map((p) => [p.point, p.value]),
    }),
  },
  { name: 'sla_due_at', type: 'timestamptz', value: (r) => r.slaDueAt },
  { name: 'owner', type: 'text', value: (r) => r.owner.owner ?? null },
  { name: 'team', type: 'text', value: (r) => r.owner.team ?? null },
  { name: 'owner_rule', type: 'text', value: (r) => r.owner.rule },
  { name: 'triage', type: 'bool', value: (r) => r.owner.triage },
  { name: 'coverage', type: 'text', value: (r) => r.coverage.coverage },
  {
    name: 'coverage_evidence',
    type: 'jsonb',
    value: (r) =>
      r.coverage.contributions.map((c) => ({
        control: c.controlId,
        rule: c.ruleId,
        coverage: c.coverage,
        mapping: c.mapping,
      })),
  },
  { name: 'reachable', type: 'text', value: (r) => r.coverage.reachable },
];

async function writeResults(tx: Queryable, results: Prioritization[], policyVersion: string, now: Date): Promise<void> {
  if (!results.length) return;
  const col = <T>(pick: (r: Prioritization) => T) => results.map(pick);
  const input = await batchSource(tx, 'stage_priorities', RESULT_COLUMNS, results);
  const extra = input.params.length;
  // The decision on the exposure row, its explanation beside it: one statement.
  await tx.query(
    `WITH t AS (${input.sql}),
     decided AS (
       UPDATE exposures e SET risk_score = t.risk_score, ssvc_decision = t.ssvc_decision, sla_due_at = t.sla_due_at,
              owner = t.owner, team = t.team, owner_rule = t.owner_rule, triage = t.triage, coverage = t.coverage,
              reachable = t.reachable, prioritized_at = $${extra + 1}, policy_version = $${extra + 2}, updated_at = now()
         FROM t WHERE e.id = t.id
       RETURNING e.id)
     INSERT INTO exposure_explanations (exposure_id, risk_factors, ssvc_path, coverage_evidence)
     SELECT t.id, t.risk_factors, t.ssvc_path, t.coverage_evidence FROM t JOIN decided USING (id)
     ON CONFLICT (exposure_id) DO UPDATE SET risk_factors = excluded.risk_factors, ssvc_path = excluded.ssvc_path,
       coverage_evidence = excluded.coverage_evidence`,
    [...input.params, now, policyVersion],
  );
  const ids = col((r) => r.exposureId);
  await tx.query('DELETE FROM exposure_controls WHERE exposure_id = ANY($1::text[])', [ids]);
  const links = results.flatMap((r) =>
    r.coverage.contributions.map((c) => [r.exposureId, c.controlId, c.coverage, c.reachability] as const),
  );
  if (links.length) {
    await tx.query(
      `INSERT INTO exposure_controls (exposure_id, control_id, coverage, reachability)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [links.map((l) => l[0]), links.map((l) => l[1]), links.map((l) => l[2]), links.map((l) => l[3])],
    );
  }
}
