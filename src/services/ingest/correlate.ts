import crypto from 'node:crypto';
import type { Finding } from '../../domain/finding.ts';

function sha(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

const CVE = /^CVE-\d{4}-\d{4,}$/;
const GHSA = /^GHSA(-[a-z0-9]{4}){3}$/i;

/**
 * The id every scanner can agree on for one vulnerability: the lowest CVE id among the
 * finding's ids and the aliases the advisory database knows, else the lowest GHSA id, else the
 * rule id. Deterministic, so Trivy's CVE and npm audit's GHSA for the same flaw meet.
 */
export function canonicalVulnerabilityId(ids: Iterable<string>, fallback: string): string {
  const all = [...ids];
  const cves = all.filter((id) => CVE.test(id)).sort(compareIds);
  if (cves.length) return cves[0]!;
  const ghsas = all.filter((id) => GHSA.test(id)).sort(compareIds);
  return ghsas[0] ?? fallback;
}

/** CVE-2021-9999 sorts before CVE-2021-10000 (numeric, not lexical). */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** What a vulnerability is *in*: a package, a resource, or a place in code. */
export function componentOf(finding: Finding): string {
  switch (finding.kind) {
    case 'package':
      return `${(finding.ecosystem ?? '').toLowerCase()}/${(finding.packageName ?? finding.purl ?? finding.location ?? '').toLowerCase()}`;
    case 'cloud':
    case 'misconfiguration':
      return finding.resource ?? finding.location ?? '';
    case 'secret':
    case 'code':
      return `${finding.location ?? finding.resource ?? ''}:${finding.line ?? ''}`;
  }
}

/**
 * One exposure per (asset, kind, vulnerability, component): two scanners reporting the same
 * CVE in the same package on the same asset produce one exposure with two findings. Readable,
 * so it can be recomputed in SQL when an asset is reclassified.
 */
export function correlationKey(assetId: string, finding: Finding, vulnerabilityId: string): string {
  return `${assetId}|${finding.kind}|${vulnerabilityId}|${componentOf(finding)}`;
}

export function exposureIdFor(key: string): string {
  return `EXP-${sha(key).slice(0, 16)}`;
}

/**
 * Stable identity of one scanner record: re-importing the same report yields the same
 * fingerprints, so nothing changes. Includes the tool, so two scanners make two findings.
 * `where` is what the report says about the asset (its hints, or an explicit --asset), not
 * our asset id, so reclassifying an asset later does not change fingerprints.
 */
export function fingerprintOf(where: string, finding: Finding): string {
  return sha(
    [
      finding.sourceTool,
      where,
      finding.kind,
      finding.ruleId,
      componentOf(finding),
      finding.packageVersion ?? '',
      finding.location ?? '',
      finding.line ?? '',
      finding.resource ?? '',
    ].join('\u0000'),
  );
}

/** Changes in these fields make a re-imported finding "updated" rather than "unchanged". */
export function contentHashOf(finding: Finding): string {
  return sha(
    JSON.stringify([
      finding.severity,
      finding.fixedVersions,
      finding.cvssScore ?? null,
      finding.cvssVector ?? null,
      finding.title,
      finding.description ?? null,
      finding.aliases,
      finding.cwes,
      finding.suppression ?? null,
    ]),
  );
}

/** The report's own words for where a finding was seen, as used in its fingerprint. */
export function whereOf(finding: Finding, explicitAssetId: string | undefined): string {
  if (explicitAssetId) return `asset:${explicitAssetId}`;
  return finding.assetHint
    .map((hint) => `${hint.kind}:${hint.value}`)
    .sort()
    .join(',');
}
