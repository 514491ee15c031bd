/**
 * The KEV catalog opens with its header (`title`, `catalogVersion`, `dateReleased`, `count`)
 * before `vulnerabilities`; its entries' `cveID` + `knownRansomwareCampaignUse` are unique to it.
 * The catalog's JSON Schema names the same members, so a `$schema` document is not a catalog.
 */
export function detectKev(head: string, _fileName: string): number {
  if (!/^\uFEFF?\s*\{/.test(head)) return 0;
  if (/"\$schema"\s*:/.test(head) && /"properties"\s*:/.test(head)) return 0;
  const header = /"catalogVersion"\s*:\s*"/.test(head);
  const entries = /"cveID"\s*:\s*"CVE-/.test(head) && /"knownRansomwareCampaignUse"\s*:/.test(head);
  if (header && /Known Exploited Vulnerabilities/i.test(head)) return 0.95;
  if (header && entries) return 0.9;
  if (entries && /"vulnerabilities"\s*:\s*\[/.test(head)) return 0.6;
  return 0;
}
