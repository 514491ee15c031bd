import { normalizeVulnId, unique } from '../common/normalize.ts';

const GHSA_IN_URL = /\b(GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})\b/i;

/** `https://github.com/advisories/GHSA-gxpj-cx7g-858c` -> `GHSA-gxpj-cx7g-858c`; npm links to GitHub since 2021. */
export function ghsaFromUrl(url: string | null | undefined): string | null {
  const match = url ? GHSA_IN_URL.exec(url) : null;
  return match ? normalizeVulnId(match[1]!) : null;
}

/**
 * The rule id and aliases of an npm advisory: the GHSA id when npm names one (it is what npm
 * shows and what OSV indexes), else the first CVE, else npm's own advisory number.
 */
export function advisoryIds(ids: {
  ghsa: string | null;
  cves: readonly string[];
  npmId: string | number | null | undefined;
}): { ruleId: string | null; aliases: string[] } {
  const cves = unique(ids.cves.map(normalizeVulnId));
  const npmId = ids.npmId === null || ids.npmId === undefined ? null : String(ids.npmId);
  const ruleId = ids.ghsa ?? cves[0] ?? npmId;
  return { ruleId, aliases: cves.filter((cve) => cve !== ruleId) };
}
