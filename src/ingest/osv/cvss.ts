import cvssCalculator from 'ae-cvss-calculator';

/** OSV severity types in the order we prefer them: a v3 vector is what most consumers compare. */
const PREFERRED_TYPES = ['CVSS_V3', 'CVSS_V4', 'CVSS_V2'];

/** The preferred CVSS vector of an OSV `severity[]` list, or null when it carries none. */
export function preferredCvssVector(severity: readonly { type: string; score: string }[]): string | null {
  for (const type of PREFERRED_TYPES) {
    const entry = severity.find((s) => s.type === type && s.score.trim());
    if (entry) return entry.score.trim();
  }
  return null;
}

/**
 * The base score of a CVSS vector (2.0, 3.0, 3.1 or 4.0), computed by FIRST's formulas through
 * ae-cvss-calculator, because OSV states only the vector. Null for an unreadable or incomplete
 * vector: a score we cannot compute is left out rather than guessed.
 */
export function cvssBaseScore(vector: string): number | null {
  try {
    const parsed = cvssCalculator.fromVector(vector);
    const base = parsed?.calculateScores().base;
    return typeof base === 'number' && Number.isFinite(base) ? base : null;
  } catch {
    return null;
  }
}
