import type { Database } from '../../db/database.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { Policy } from '../../prioritize/policy.ts';
import { slaState } from '../../prioritize/sla.ts';
import { type ExposureToPrioritize, loadControls, loadExposurePage } from './load-context.ts';
import { type Prioritization, prioritizeOne } from './prioritize.ts';
import { codeownersLoader } from './repository-codeowners.ts';

export type FindingSummary = {
  fingerprint: string;
  sourceTool: string;
  ruleId: string;
  packageVersion: string | null;
  location: string | null;
  state: string;
  severity: string;
  lastSeenAt: Date;
};

export type ExposureExplanation = {
  exposure: ExposureToPrioritize;
  title: string;
  advisoryId: string | null;
  prioritization: Prioritization;
  slaState: 'ok' | 'due_soon' | 'breached';
  findings: FindingSummary[];
  policyVersion: string;
};

/** Recomputes one exposure's prioritization with the current policy and controls, with its evidence. */
export async function explainExposure(
  db: Database,
  policy: Policy,
  id: string,
  now = new Date(),
): Promise<ExposureExplanation> {
  // Independent reads, side by side (on a server pool they overlap; embedded mode queues them).
  const [[exposure], controls, meta, findings] = await Promise.all([
    loadExposurePage(db, { after: '', limit: 1, ids: [id], anyState: true }),
    loadControls(db),
    db.query<{ title: string; advisory_id: string | null }>('SELECT title, advisory_id FROM exposures WHERE id = $1', [
      id,
    ]),
    db.query<FindingSummary>(
      `SELECT fingerprint, source_tool AS "sourceTool", rule_id AS "ruleId", package_version AS "packageVersion",
              location, state, severity, last_seen_at AS "lastSeenAt"
         FROM findings WHERE exposure_id = $1 ORDER BY source_tool, fingerprint`,
      [id],
    ),
  ]);
  if (!exposure || !meta.rows[0]) throw new NotFoundError('exposure', id);
  const prioritization = prioritizeOne(exposure, controls, policy, now, codeownersLoader()(exposure.asset));
  return {
    exposure,
    title: meta.rows[0]!.title,
    advisoryId: meta.rows[0]!.advisory_id,
    prioritization,
    slaState: slaState(prioritization.slaDueAt, now, policy),
    findings: findings.rows,
    policyVersion: policy.policyVersion,
  };
}

/** The explanation in words a security engineer reads top to bottom. */
export function formatExplanation(x: ExposureExplanation): string {
  const { context, asset } = x.exposure;
  const p = x.prioritization;
  const lines: string[] = [];
  lines.push(`${context.exposureId}: ${x.title}`);
  lines.push(
    `  ${context.vulnerabilityId}${x.advisoryId && x.advisoryId !== context.vulnerabilityId ? ` (advisory ${x.advisoryId})` : ''}` +
      ` in ${context.component ?? 'unknown component'} on asset ${asset.id} "${asset.name}"` +
      ` (${asset.kind}, ${asset.environment}, ${asset.internetExposure}, ${asset.criticality}, data ${asset.dataSensitivity})`,
  );
  lines.push('');
  lines.push(
    `Decision: ${p.ssvc.decision} — fix within the SLA, due ${p.slaDueAt.toISOString().slice(0, 10)} (${x.slaState.replace('_', ' ')})`,
  );
  lines.push('SSVC path (CISA decision table):');
  for (const step of p.ssvc.path) lines.push(`  ${step.point}: ${step.value} — ${step.reason}`);
  lines.push('');
  lines.push(`Risk score ${p.risk.score.toFixed(1)} / 100:`);
  for (const f of p.risk.factors) {
    const sign = f.contribution >= 0 ? '+' : '-';
    lines.push(`  ${sign}${Math.abs(f.contribution).toFixed(1).padStart(5)}  ${f.factor}: ${f.reason}`);
  }
  lines.push('');
  lines.push(`Compensating controls: coverage ${p.coverage.coverage}, reachability ${p.coverage.reachable}`);
  lines.push(`  ${p.coverage.effect}`);
  for (const c of p.coverage.contributions) {
    lines.push(
      `  counts: ${c.controlId}${c.ruleId ? ` rule ${c.ruleId}` : ''} (${c.controlKind}, ${c.mode}) -> ${c.coverage}: ${c.reason}; in scope because ${c.inScopeBecause}; verified ${c.verifiedAt ? c.verifiedAt.toISOString().slice(0, 10) : 'never'}`,
    );
  }
  const outOfScope = p.coverage.ignored.filter((i) => i.reason.startsWith('out of scope'));
  for (const i of p.coverage.ignored) {
    if (!outOfScope.includes(i)) lines.push(`  ignored: ${i.controlId}: ${i.reason}`);
  }
  if (outOfScope.length) {
    lines.push(
      `  ${outOfScope.length} other control(s) do not cover this asset (out of scope): ${outOfScope
        .map((i) => i.controlId)
        .slice(0, 10)
        .join(', ')}${outOfScope.length > 10 ? ', …' : ''}`,
    );
  }
  lines.push('');
  const who = [p.owner.owner, p.owner.team].filter(Boolean).join(' / ') || 'nobody';
  lines.push(`Owner: ${who}${p.owner.triage ? ' (triage queue)' : ''} — rule ${p.owner.rule}: ${p.owner.reason}`);
  lines.push('');
  lines.push(`Findings (${x.findings.length}):`);
  for (const f of x.findings) {
    lines.push(
      `  ${f.sourceTool.padEnd(12)} ${f.ruleId}${f.packageVersion ? ` @ ${f.packageVersion}` : ''}${f.location ? ` in ${f.location}` : ''} — ${f.state}, last seen ${f.lastSeenAt.toISOString().slice(0, 10)}`,
    );
  }
  lines.push(`(policy ${x.policyVersion})`);
  return lines.join('\n');
}
