import type { TrivyCvssEntry } from './schema.ts';

export type CvssPick = { score: number | null; vector: string | null };

const VERSIONS = [
  ['V3Vector', 'V3Score'],
  ['V40Vector', 'V40Score'],
  ['V2Vector', 'V2Score'],
] as const;

/**
 * The CVSS to keep from Trivy's per-source `CVSS` map. The source Trivy took the severity from
 * (`SeveritySource`) comes first, so score and severity agree; then NVD; then any other vendor
 * in report order. A v3 vector wins over v4, and v4 over v2; score and vector always come from
 * the same entry, and nothing is computed that the report does not state.
 */
export function pickCvss(
  cvss: Record<string, TrivyCvssEntry> | null | undefined,
  severitySource: string | null | undefined,
): CvssPick | null {
  if (!cvss) return null;
  const sources = [...new Set([severitySource, 'nvd', ...Object.keys(cvss)])].filter(
    (source): source is string => typeof source === 'string' && source in cvss,
  );
  for (const [vectorKey, scoreKey] of VERSIONS) {
    for (const source of sources) {
      const entry = cvss[source]!;
      const vector = entry[vectorKey] || null;
      const score = entry[scoreKey] ?? null;
      if (vector || score !== null) return { score, vector };
    }
  }
  return null;
}
