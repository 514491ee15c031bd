import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import type { Control } from '../../domain/control.ts';
import type { Policy } from '../../prioritize/policy.ts';
import { loadControls } from './load-context.ts';
import { type PrioritizeSummary, prioritizeExposures } from './prioritize.ts';

export type ControlDrift = { controlId: string; reasons: string[]; exposures: number };

export type VerifyControlsResult = {
  controls: number;
  drifted: ControlDrift[];
  reprioritized: PrioritizeSummary | null;
};

const DAY_MS = 86_400_000;

/** Why a control that used to count may no longer (or may now) give coverage. */
function driftReasons(before: Control | undefined, after: Control, now: Date, freshnessDays: number): string[] {
  const reasons: string[] = [];
  const stale = (c: Control) =>
    !c.lastVerifiedAt || now.getTime() - c.lastVerifiedAt.getTime() > freshnessDays * DAY_MS;
  if (!before) return ['new control'];
  if (before.enabled && !after.enabled) reasons.push('disabled');
  if (!before.enabled && after.enabled) reasons.push('enabled');
  if (JSON.stringify(before.scope) !== JSON.stringify(after.scope)) reasons.push('scope changed');
  if (before.mode !== after.mode) reasons.push(`mode changed from ${before.mode} to ${after.mode}`);
  if (JSON.stringify(before.rules) !== JSON.stringify(after.rules)) reasons.push('rules changed');
  if (JSON.stringify(before.capabilities) !== JSON.stringify(after.capabilities)) reasons.push('capabilities changed');
  if (stale(after)) {
    const since = after.lastVerifiedAt ? after.lastVerifiedAt.toISOString().slice(0, 10) : 'never';
    reasons.push(`not verified within ${freshnessDays} days (last verified: ${since})`);
  }
  return reasons;
}

/**
 * Re-reads control state (the caller ingests fresh inventory first and passes the controls as
 * they were before), finds drift (disabled, out of scope, stale, changed), re-prioritizes only
 * the exposures that relied on a drifted control, and audits each drift. A new or re-enabled
 * control can add coverage anywhere, so it triggers a full re-prioritization.
 */
export async function verifyControls(
  db: Database,
  policy: Policy,
  options: { before: Control[]; now?: Date; actor?: string },
): Promise<VerifyControlsResult> {
  const now = options.now ?? new Date();
  const actor = options.actor ?? 'rules';
  const before = new Map(options.before.map((c) => [c.id, c]));
  const after = await loadControls(db);
  const drifted: ControlDrift[] = [];
  let widening = false;
  const relyingCounts = await db.query<{ control_id: string; n: number }>(
    'SELECT control_id, count(*)::int AS n FROM exposure_controls GROUP BY control_id',
  );
  const relyingOn = new Map(relyingCounts.rows.map((r) => [r.control_id, r.n]));
  for (const control of after) {
    const reasons = driftReasons(before.get(control.id), control, now, policy.controls.freshnessDays);
    if (!reasons.length) continue;
    if (reasons.includes('new control') || reasons.includes('enabled') || reasons.includes('scope changed'))
      widening = true;
    const relying = relyingOn.get(control.id) ?? 0;
    // A control that is merely (still) stale matters only while exposures rely on it.
    if (relying === 0 && reasons.every((r) => r.startsWith('not verified'))) continue;
    drifted.push({ controlId: control.id, reasons, exposures: relying });
  }
  const affected = drifted.length
    ? (
        await db.query<{ exposure_id: string }>(
          'SELECT DISTINCT exposure_id FROM exposure_controls WHERE control_id = ANY($1::text[])',
          [drifted.map((d) => d.controlId)],
        )
      ).rows.map((r) => r.exposure_id)
    : [];
  await db.transaction((tx) =>
    appendAudit(
      tx,
      drifted.map((d) => ({
        actor,
        action: 'control.drift',
        subjectType: 'control',
        subjectId: d.controlId,
        data: { reasons: d.reasons, exposuresRelying: d.exposures },
      })),
    ),
  );
  let reprioritized: PrioritizeSummary | null = null;
  if (widening) reprioritized = await prioritizeExposures(db, policy, { now, actor });
  else if (affected.length)
    reprioritized = await prioritizeExposures(db, policy, { now, actor, exposureIds: affected });
  return { controls: after.length, drifted, reprioritized };
}
