import type { Suppression } from '../../domain/finding.ts';
import type { SarifResult } from './schema.ts';

/**
 * A result is suppressed when it has suppressions and none of them is `rejected` or
 * `underReview` (SARIF 3.27.23, 3.34.3); a missing status means accepted. `state` is read too:
 * the SARIF spec's own appendix K sample uses that pre-release member name. A rejected or
 * pending suppression leaves the finding open (the raw record keeps it).
 */
export function suppressionOf(result: SarifResult): Suppression | null {
  const suppressions = result.suppressions ?? [];
  if (!suppressions.length) return null;
  const statuses = suppressions.map((entry) => (entry.status ?? entry.state ?? 'accepted').toLowerCase());
  if (statuses.some((status) => status === 'rejected' || status === 'underreview')) return null;
  const kinds = [...new Set(suppressions.map((entry) => entry.kind).filter(Boolean))];
  return {
    state: 'suppressed',
    justification: suppressions.find((entry) => entry.justification)?.justification ?? null,
    detail: `SARIF ${kinds.length ? kinds.join(', ') : 'unspecified'} suppression`,
  };
}
