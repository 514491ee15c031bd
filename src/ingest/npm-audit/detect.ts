/** npm 7+ stamps its report with this key; nothing else writes it. */
const REPORT_VERSION = /"auditReportVersion"\s*:\s*\d/;
/** npm 6 keys its advisories by number, each naming its `module_name`. */
const LEGACY_ADVISORIES = /"advisories"\s*:\s*\{/;
const LEGACY_MODULE = /"module_name"\s*:\s*"/;
/** An npm 6 report with no advisories still has its `actions` and `muted` lists. */
const LEGACY_LISTS = [/"actions"\s*:\s*\[/, /"muted"\s*:\s*\[/];

/**
 * Confidence that the head of a file is `npm audit --json` output: high for npm 7+'s
 * `auditReportVersion` and for npm 6 advisories naming a `module_name`, a little lower for an
 * empty npm 6 report recognized only by its shape.
 */
export function detectNpmAudit(head: string): number {
  if (!head.trimStart().startsWith('{')) return 0;
  if (REPORT_VERSION.test(head)) return 0.9;
  if (!LEGACY_ADVISORIES.test(head)) return 0;
  if (LEGACY_MODULE.test(head)) return 0.9;
  return LEGACY_LISTS.every((pattern) => pattern.test(head)) ? 0.6 : 0;
}
