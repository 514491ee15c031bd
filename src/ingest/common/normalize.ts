import type { Severity } from '../../domain/common.ts';

/** Maps any scanner's severity word (CRITICAL, Moderate, error, 4, ...) to our scale. */
export function normalizeSeverity(raw: unknown): Severity {
  if (typeof raw === 'number') return severityFromScore(raw);
  const value = String(raw ?? '')
    .trim()
    .toLowerCase();
  switch (value) {
    case 'critical':
    case 'crit':
      return 'critical';
    case 'high':
    case 'error':
    case 'important':
      return 'high';
    case 'medium':
    case 'moderate':
    case 'warning':
    case 'warn':
      return 'medium';
    case 'low':
    case 'minor':
    case 'note':
    case 'negligible':
      return 'low';
    case 'info':
    case 'informational':
    case 'none':
    case 'pass':
      return 'info';
    default:
      return 'unknown';
  }
}

/** CVSS v3 qualitative rating of a base score. */
export function severityFromScore(score: number): Severity {
  if (!Number.isFinite(score)) return 'unknown';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

const ECOSYSTEMS: Record<string, string> = {
  npm: 'npm',
  node: 'npm',
  'node-pkg': 'npm',
  yarn: 'npm',
  pnpm: 'npm',
  javascript: 'npm',
  pypi: 'PyPI',
  pip: 'PyPI',
  python: 'PyPI',
  'python-pkg': 'PyPI',
  pipenv: 'PyPI',
  poetry: 'PyPI',
  maven: 'Maven',
  jar: 'Maven',
  java: 'Maven',
  'java-archive': 'Maven',
  gradle: 'Maven',
  pom: 'Maven',
  go: 'Go',
  golang: 'Go',
  gomod: 'Go',
  gobinary: 'Go',
  'go-module': 'Go',
  cargo: 'crates.io',
  'crates.io': 'crates.io',
  rust: 'crates.io',
  'rust-crate': 'crates.io',
  gem: 'RubyGems',
  rubygems: 'RubyGems',
  bundler: 'RubyGems',
  nuget: 'NuGet',
  dotnet: 'NuGet',
  'dotnet-core': 'NuGet',
  composer: 'Packagist',
  packagist: 'Packagist',
  php: 'Packagist',
  debian: 'Debian',
  deb: 'Debian',
  ubuntu: 'Ubuntu',
  alpine: 'Alpine',
  apk: 'Alpine',
  redhat: 'Red Hat',
  rpm: 'Red Hat',
  centos: 'Red Hat',
  rocky: 'Rocky Linux',
  alma: 'AlmaLinux',
  amazon: 'Amazon Linux',
  wolfi: 'Wolfi',
  hex: 'Hex',
  pub: 'Pub',
  swift: 'SwiftURL',
  cocoapods: 'CocoaPods',
};

/** OSV ecosystem name for a scanner's package type or purl type ("python-pkg" -> "PyPI"). */
export function normalizeEcosystem(raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw.trim()) return null;
  const key = raw.trim().toLowerCase();
  const known = ECOSYSTEMS[key] ?? ECOSYSTEMS[key.split(':')[0] ?? ''];
  return known ?? raw.trim();
}

/** Parses a package URL (pkg:type/namespace/name@version) into ecosystem, name and version. */
export function parsePurl(purl: unknown): { ecosystem: string | null; name: string; version: string | null } | null {
  if (typeof purl !== 'string' || !purl.startsWith('pkg:')) return null;
  const withoutQualifiers = purl.slice(4).split('#')[0]!.split('?')[0]!;
  const slash = withoutQualifiers.indexOf('/');
  if (slash < 0) return null;
  const type = withoutQualifiers.slice(0, slash);
  const rest = withoutQualifiers.slice(slash + 1);
  const at = rest.lastIndexOf('@');
  const path = decodeURIComponent(at >= 0 ? rest.slice(0, at) : rest);
  const version = at >= 0 ? decodeURIComponent(rest.slice(at + 1)) : null;
  // Maven names are group:artifact; npm scopes keep their @; others keep namespace/name.
  const name = type === 'maven' ? path.replace('/', ':') : path;
  return { ecosystem: normalizeEcosystem(type), name, version };
}

/** CVE-2021-44228, GHSA-xxxx-xxxx-xxxx and other ids, upper-cased consistently. */
export function normalizeVulnId(id: string): string {
  const trimmed = id.trim();
  if (/^(cve|ghsa)-/i.test(trimmed)) {
    return trimmed
      .toUpperCase()
      .replace(/^GHSA-/, 'GHSA-')
      .replace(/^(GHSA-)(.*)$/, (_m, p, r) => p + r.toLowerCase());
  }
  return trimmed;
}

/** `CWE-79`, `79`, `CWE-79: Improper ...` -> `CWE-79`. */
export function normalizeCwe(raw: unknown): string | null {
  const match = /(?:CWE-)?(\d+)/i.exec(String(raw ?? ''));
  return match ? `CWE-${match[1]}` : null;
}

/** Keeps the first occurrence of each value, drops empties. */
export function unique<T>(values: Iterable<T | null | undefined>): T[] {
  const seen = new Set<T>();
  for (const value of values) if (value !== null && value !== undefined && value !== '') seen.add(value);
  return [...seen];
}
