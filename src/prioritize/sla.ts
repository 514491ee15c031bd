import type { SsvcDecision } from '../domain/exposure.ts';
import type { Policy } from './policy.ts';

/**
 * Remediation deadlines. The SLA counts calendar days (not business days) from when the
 * exposure was opened: attackers do not take weekends off, and calendar days are what
 * auditors and CISA BOD-style timelines measure.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export type SlaState = 'ok' | 'due_soon' | 'breached';

/** Due date: `openedAt` plus the policy's days for the decision (exact 24-hour days, UTC). */
export function slaDueDate(decision: SsvcDecision, openedAt: Date, policy: Pick<Policy, 'sla'>): Date {
  return new Date(openedAt.getTime() + policy.sla.days[decision] * DAY_MS);
}

/**
 * Where an open exposure stands against its due date: `breached` once `now` is past the due
 * instant, `due_soon` within `sla.dueSoonDays` days of it (inclusive), else `ok`.
 */
export function slaState(due: Date, now: Date, policy: Pick<Policy, 'sla'>): SlaState {
  const remaining = due.getTime() - now.getTime();
  if (remaining < 0) return 'breached';
  if (remaining <= policy.sla.dueSoonDays * DAY_MS) return 'due_soon';
  return 'ok';
}
