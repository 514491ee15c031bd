/**
 * Snyk CLI `test --json` output: a project object (or an `--all-projects` array of them) with a
 * `vulnerabilities` array. Snyk issue ids (`SNYK-...`, `snyk:lic:...`) and the policy header
 * Snyk writes (`# Snyk (https://snyk.io) policy file`) are specific; the remaining shape
 * (`upgradePath`, `isUpgradable`) is weaker. CycloneDX and SARIF files that mention Snyk are
 * not this format.
 */
export function detectSnyk(head: string, _fileName: string): number {
  const body = head.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('{') && !body.startsWith('[')) return 0;
  if (/"bomFormat"\s*:/.test(head) || /"\$schema"\s*:\s*"[^"]*sarif/i.test(head)) return 0;
  if (!/"vulnerabilities"\s*:\s*\[/.test(head)) return 0;
  const issueIds = /"id"\s*:\s*"(SNYK-[A-Z0-9]+-|snyk:lic:)/.test(head);
  const policy = /# Snyk \(https:\/\/snyk\.io\) policy file/.test(head);
  if (issueIds || policy) return 0.95;
  if (/"upgradePath"\s*:/.test(head) && /"isUpgradable"\s*:/.test(head)) return 0.7;
  return 0;
}
