import type { AffectedPackage, AffectedRange } from '../../domain/advisory.ts';
import { unique } from '../common/normalize.ts';
import type { Cve5Affected, Cve5Version } from './schema.ts';

/** Package registries a CNA may name in `collectionURL`, by host, as OSV ecosystems. */
const COLLECTIONS: Record<string, string> = {
  'repo.maven.apache.org': 'Maven',
  'repo1.maven.org': 'Maven',
  'search.maven.org': 'Maven',
  'central.sonatype.com': 'Maven',
  'registry.npmjs.org': 'npm',
  'www.npmjs.com': 'npm',
  'npmjs.com': 'npm',
  'pypi.org': 'PyPI',
  'pypi.python.org': 'PyPI',
  'proxy.golang.org': 'Go',
  'pkg.go.dev': 'Go',
  'crates.io': 'crates.io',
  'rubygems.org': 'RubyGems',
  'www.nuget.org': 'NuGet',
  'nuget.org': 'NuGet',
  'api.nuget.org': 'NuGet',
  'packagist.org': 'Packagist',
  'hex.pm': 'Hex',
  'pub.dev': 'Pub',
};

/** Version strings that say "we do not know" rather than name a version. */
const PLACEHOLDERS = new Set(['', '*', '-', 'n/a', 'na', 'unspecified', 'unknown', 'all', 'any', '0']);

/** Ecosystem used when the record names no package registry: the package is the vendor's product. */
export const CVE_ECOSYSTEM = 'CVE';

/**
 * CVE `affected[]` as OSV-style packages, as far as the record allows:
 * - a registry `collectionURL` + `packageName` gives the OSV ecosystem and package; otherwise
 *   ecosystem `CVE` and package `vendor/product` (just the product when the vendor is "n/a");
 * - `version` + `lessThan` / `lessThanOrEqual` + `changes` become a range (introduced / fixed /
 *   last_affected events; `changes` map one to one); constraint strings the GitHub CNA writes
 *   (">= 2.0.0, < 2.0.6", "< 1.26.17", "prior to 4.17.21") are read the same way; a single
 *   version becomes an explicit version;
 * - `versionType` semver -> SEMVER, git -> GIT, anything else -> ECOSYSTEM;
 * - entries with no affected version and a default status other than "affected" are left out
 *   (they list what is NOT affected), as are entries naming no product ("n/a");
 * - an affected version in free text ("5.3.X prior to 5.3.18+ and all old versions") keeps the
 *   package with no ranges: affected, versions unknown (the text stays in the details).
 */
export function affectedPackages(entries: readonly Cve5Affected[]): AffectedPackage[] {
  const byPackage = new Map<string, AffectedPackage>();
  for (const entry of entries) {
    const target = packageOf(entry);
    if (!target) continue;
    const affectedVersions = (entry.versions ?? []).filter((version) => version.status === 'affected');
    const everyVersion = entry.defaultStatus === 'affected' && !entry.versions?.length;
    if (!affectedVersions.length && !everyVersion) continue;
    const ranges: AffectedRange[] = everyVersion ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] : [];
    const versions: string[] = [];
    for (const version of affectedVersions) {
      const range = rangeOf(version);
      if (range) ranges.push(range);
      else if (isVersionToken(version.version)) versions.push(version.version.trim());
    }
    const key = `${target.ecosystem}\u0000${target.package}`;
    const merged = byPackage.get(key) ?? { ...target, ranges: [], versions: [], fixed: [] };
    merged.ranges.push(...ranges);
    merged.versions = unique([...merged.versions, ...versions]);
    merged.fixed = unique([
      ...merged.fixed,
      ...ranges.flatMap((r) => r.events.flatMap((e) => (e.fixed ? [e.fixed] : []))),
    ]);
    byPackage.set(key, merged);
  }
  return [...byPackage.values()];
}

function packageOf(entry: Cve5Affected): { ecosystem: string; package: string } | null {
  const ecosystem = registryEcosystem(entry.collectionURL);
  if (ecosystem && entry.packageName?.trim()) return { ecosystem, package: entry.packageName.trim() };
  const product = known(entry.product);
  if (!product) return null;
  const vendor = known(entry.vendor);
  return { ecosystem: CVE_ECOSYSTEM, package: vendor ? `${vendor}/${product}` : product };
}

function registryEcosystem(collectionUrl: string | undefined): string | null {
  if (!collectionUrl) return null;
  try {
    return COLLECTIONS[new URL(collectionUrl).hostname.toLowerCase()] ?? null;
  } catch {
    return null;
  }
}

function known(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed && !PLACEHOLDERS.has(trimmed.toLowerCase()) ? trimmed : null;
}

/** A single version such as 2.0-beta9, 116.0.5845.187 or a commit hash; not free text or a placeholder. */
function isVersionToken(value: string): boolean {
  const trimmed = value.trim();
  return !PLACEHOLDERS.has(trimmed.toLowerCase()) && /^[vV]?[0-9a-fA-F][\w.+~:-]*$/.test(trimmed);
}

/** An upper bound of "*" (or "log4j-core*") means "and every later version": no closing event. */
function bound(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed && !trimmed.includes('*') ? trimmed : null;
}

function rangeType(versionType: string | undefined): AffectedRange['type'] {
  const type = versionType?.toLowerCase();
  if (type === 'semver') return 'SEMVER';
  if (type === 'git') return 'GIT';
  return 'ECOSYSTEM';
}

function rangeOf(version: Cve5Version): AffectedRange | null {
  const type = rangeType(version.versionType);
  if (version.lessThan !== undefined || version.lessThanOrEqual !== undefined || version.changes?.length) {
    const lessThan = bound(version.lessThan);
    const lessThanOrEqual = bound(version.lessThanOrEqual);
    const start = version.version.trim();
    // "116.0.5845.187 lessThan 116.0.5845.187" (Chrome) and "0" both mean "from the beginning".
    const introduced = isVersionToken(start) && start !== lessThan && start !== lessThanOrEqual ? start : '0';
    const events: AffectedRange['events'] = [{ introduced }];
    for (const change of version.changes ?? []) {
      if (change.status === 'unaffected') events.push({ fixed: change.at.trim() });
      else if (change.status === 'affected') events.push({ introduced: change.at.trim() });
    }
    const last = events.at(-1);
    if (lessThan && last?.fixed !== lessThan) events.push({ fixed: lessThan });
    else if (lessThanOrEqual) events.push({ last_affected: lessThanOrEqual });
    return { type, events };
  }
  const events = constraintEvents(version.version);
  return events ? { type, events } : null;
}

const CONSTRAINT = /^(>=|<=|<|=|==)?\s*([vV]?[0-9][\w.+~:-]*)$/;
const PRIOR_TO = /^(?:prior to|before|earlier than)\s+([vV]?[0-9][\w.+~:-]*)$/i;

/**
 * ">= 2.0.0, < 2.0.6" -> introduced 2.0.0, fixed 2.0.6; "<= 1.2.5" -> introduced 0, last_affected
 * 1.2.5; "prior to 4.17.21" -> introduced 0, fixed 4.17.21. Null unless every part reads as a
 * bound, and for a plain version (that is an explicit version, not a range).
 */
function constraintEvents(text: string): AffectedRange['events'] | null {
  const parts = text.split(',').map((part) => part.trim());
  let introduced: string | undefined;
  let upper: { fixed: string } | { last_affected: string } | undefined;
  for (const part of parts) {
    const prior = PRIOR_TO.exec(part);
    const match = prior ? ['', '<', prior[1]!] : CONSTRAINT.exec(part);
    if (!match?.[1] || match[1] === '=' || match[1] === '==') return null;
    const [, operator, value] = match as [string, string, string];
    if (operator === '>=') introduced = value;
    else if (operator === '<') upper = { fixed: value };
    else upper = { last_affected: value };
  }
  if (!upper && introduced === undefined) return null;
  return [{ introduced: introduced ?? '0' }, ...(upper ? [upper] : [])];
}
