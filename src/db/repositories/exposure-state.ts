import type { ExposureState } from '../../domain/exposure.ts';
import type { Queryable } from '../database.ts';

/**
 * Moves active exposures to a new workflow state with the reason shown to people. Exposures a
 * scan already resolved (or that were suppressed) keep their state: the scan is the truth.
 */
export async function setExposureStates(
  db: Queryable,
  ids: string[],
  state: ExposureState,
  reason: string,
  options: { acceptedUntil?: Date | null } = {},
): Promise<number> {
  const result = await db.query(
    `UPDATE exposures SET state = $2, state_reason = $3, accepted_until = $4,
            mitigated_at = CASE WHEN $2 = 'mitigated' THEN now() ELSE mitigated_at END, updated_at = now()
      WHERE id = ANY($1::text[]) AND state IN ('open', 'in_progress', 'awaiting_approval', 'mitigated')`,
    [ids, state, reason, options.acceptedUntil ?? null],
  );
  return result.rowCount;
}
