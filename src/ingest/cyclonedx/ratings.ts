import type { Severity } from '../../domain/common.ts';
import { normalizeSeverity, severityFromScore } from '../common/normalize.ts';
import type { Rating, Vulnerability } from './schema.ts';

/** CycloneDX `method` values by CVSS generation, in the order we prefer them. */
const CVSS_GENERATIONS = [['cvssv31', 'cvssv3'], ['cvssv4'], ['cvssv2']];

function lower(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

/**
 * The rating of one CVSS generation to report. A BOM may carry the same metric from several
 * sources (Trivy lists NVD, Red Hat, GHSA...): the vulnerability's own source wins, then NVD,
 * then the first listed; within a source, CVSS 3.1 before 3.0.
 */
function pickCvss(ratings: readonly Rating[], methods: readonly string[], primary: string): Rating | undefined {
  const rank = (rating: Rating): number => {
    const source = lower(rating.source?.name);
    const bySource = source && source === primary ? 0 : source === 'nvd' ? 1 : 2;
    return bySource * methods.length + methods.indexOf(lower(rating.method));
  };
  return ratings
    .filter((rating) => methods.includes(lower(rating.method)) && (rating.vector || typeof rating.score === 'number'))
    .map((rating, order) => ({ rating, order }))
    .sort((a, b) => rank(a.rating) - rank(b.rating) || a.order - b.order)[0]?.rating;
}

function severityOf(rating: Rating | undefined): Severity {
  return rating?.severity ? normalizeSeverity(rating.severity) : 'unknown';
}

/**
 * Severity and CVSS of a vulnerability from its `ratings`. CVSS prefers v3 (then v4, then v2)
 * and keeps the vector as the BOM wrote it. Severity is the rating of the vulnerability's own
 * source when it gives one (what the scanner itself concluded), else that of the chosen CVSS
 * rating, else the first stated severity, else the one the CVSS score implies.
 */
export function assessRatings(vulnerability: Vulnerability): {
  severity: Severity;
  cvssScore: number | null;
  cvssVector: string | null;
} {
  const ratings = vulnerability.ratings ?? [];
  const primary = lower(vulnerability.source?.name);
  const cvss = CVSS_GENERATIONS.map((methods) => pickCvss(ratings, methods, primary)).find(Boolean);
  const cvssScore = typeof cvss?.score === 'number' ? cvss.score : null;
  const candidates = [
    ...ratings.filter((rating) => primary && lower(rating.source?.name) === primary),
    cvss,
    ...ratings,
  ].map(severityOf);
  const stated = candidates.find((severity) => severity !== 'unknown');
  return {
    severity: stated ?? (cvssScore === null ? 'unknown' : severityFromScore(cvssScore)),
    cvssScore,
    cvssVector: cvss?.vector?.trim() || null,
  };
}
