import type { Severity } from '../../domain/common.ts';
import { normalizeSeverity, severityFromScore } from '../common/normalize.ts';
import type { Cve5Container, Cve5Cvss } from './schema.ts';

/** v3 first (what most consumers compare), then v4, then v2; the CNA's own metric before an ADP's. */
const CVSS_KEYS = ['cvssV3_1', 'cvssV3_0', 'cvssV4_0', 'cvssV2_0'] as const;

export type CvssPick = { vector: string | null; score: number | null; severity: Severity };

/**
 * The record's CVSS vector, score and severity. `containers` is the CNA followed by the ADPs, so
 * CISA's Vulnrichment score fills in only where the CNA gave none. Without any CVSS, a CNA's
 * textual rating (`other` metrics such as "moderate" or Red Hat's "Critical") sets the severity.
 */
export function pickCvss(containers: readonly Cve5Container[]): CvssPick {
  for (const key of CVSS_KEYS) {
    for (const container of containers) {
      const cvss = container.metrics?.find((metric) => metric[key])?.[key];
      if (cvss) return fromCvss(cvss);
    }
  }
  return { vector: null, score: null, severity: textualSeverity(containers[0]) };
}

function fromCvss(cvss: Cve5Cvss): CvssPick {
  const score =
    typeof cvss.baseScore === 'number' && cvss.baseScore >= 0 && cvss.baseScore <= 10 ? cvss.baseScore : null;
  const stated = normalizeSeverity(cvss.baseSeverity);
  const severity = stated !== 'unknown' ? stated : score === null ? 'unknown' : severityFromScore(score);
  return { vector: cvss.vectorString?.trim() || null, score, severity };
}

/** The first word of an `other` metric's `content.other` / `.value` / `.text` that reads as a severity. */
function textualSeverity(container: Cve5Container | undefined): Severity {
  for (const metric of container?.metrics ?? []) {
    const content = metric.other?.content;
    if (!content || typeof content !== 'object') continue;
    const { other, value, text: description } = content as Record<string, unknown>;
    for (const text of [other, value, description]) {
      if (typeof text !== 'string') continue;
      const severity = normalizeSeverity(text.trim().split(/[\s(]/)[0]);
      if (severity !== 'unknown') return severity;
    }
  }
  return 'unknown';
}

/** CISA's ADP marks CVEs in its KEV catalog with an `other` metric of type `kev`. */
export function kevHint(containers: readonly Cve5Container[]): { dateAdded: string } | null {
  for (const container of containers) {
    for (const metric of container.metrics ?? []) {
      if (metric.other?.type !== 'kev') continue;
      const dateAdded = (metric.other.content as { dateAdded?: unknown } | undefined)?.dateAdded;
      if (typeof dateAdded === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(dateAdded)) return { dateAdded };
    }
  }
  return null;
}
