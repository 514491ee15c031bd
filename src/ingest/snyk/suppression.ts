import type { Suppression } from '../../domain/finding.ts';
import type { SnykIssue } from './schema.ts';

/**
 * Issues ignored through the Snyk policy (`.snyk` or the web UI) are listed under
 * `filtered.ignore` with the reason and expiry; patched ones under `filtered.patch`. They are
 * kept as suppressed findings, not dropped: an ignore can expire or be revoked.
 */
export function filteredSuppression(list: 'ignore' | 'patch', issue: SnykIssue): Suppression {
  if (list === 'patch') return { state: 'suppressed', justification: 'patched by a Snyk patch', detail: null };
  const ignore = issue.filtered?.ignored?.[0];
  const expires = ignore?.expires ? ` until ${ignore.expires}` : '';
  return {
    state: 'suppressed',
    justification: ignore?.reasonType?.trim() || 'ignored in Snyk policy',
    detail: `${ignore?.reason?.trim() || 'no reason given'}${expires}`,
  };
}
