import type { GrypeCvss, GrypeMatch } from './schema.ts';

export type CvssPick = { score: number | null; vector: string | null };

function fromList(list: GrypeCvss[] | null | undefined, major: string): CvssPick | null {
  const entries = (list ?? []).filter((entry) => (entry.version ?? '').startsWith(major) && entry.vector);
  // NVD's own ("Primary") score first, then a CNA's ("Secondary").
  const entry = entries.find((e) => e.type !== 'Secondary') ?? entries[0];
  return entry ? { score: entry.metrics?.baseScore ?? null, vector: entry.vector ?? null } : null;
}

function fromLegacy(cvss: { baseScore?: number | null; vector?: string | null } | null | undefined): CvssPick | null {
  return cvss && (cvss.vector || cvss.baseScore != null)
    ? { score: cvss.baseScore ?? null, vector: cvss.vector ?? null }
    : null;
}

/**
 * The CVSS to keep for a match: the matched record's own scores, then those of its related
 * records (usually NVD's for the same CVE). v3 first, then v4, then v2; score and vector come
 * from one entry, and nothing is computed that the report does not state.
 */
export function pickCvss(match: GrypeMatch): CvssPick | null {
  const lists = [match.vulnerability.cvss, ...(match.relatedVulnerabilities ?? []).map((r) => r.cvss)];
  for (const major of ['3', '4']) {
    for (const list of lists) {
      const pick = fromList(list, major);
      if (pick) return pick;
    }
    if (major === '3') {
      const legacy = fromLegacy(match.vulnerability.cvssV3);
      if (legacy) return legacy;
    }
  }
  for (const list of lists) {
    const pick = fromList(list, '2');
    if (pick) return pick;
  }
  return fromLegacy(match.vulnerability.cvssV2);
}
