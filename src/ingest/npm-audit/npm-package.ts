/** Facts shared by both report forms about the package a finding is on. */
export const FORMAT = 'npm-audit';
export const SOURCE_TOOL = 'npm-audit';
export const ECOSYSTEM = 'npm';

/** Package URL of an npm package (`@scope/name` -> `pkg:npm/%40scope/name`), versioned when known. */
export function npmPurl(name: string, version: string | null): string {
  const path = name.startsWith('@') ? `%40${name.slice(1)}` : name;
  return version ? `pkg:npm/${path}@${encodeURIComponent(version)}` : `pkg:npm/${path}`;
}

/** A CVSS block as npm gives it: score 0 with no vector means "not scored", not a score of zero. */
export function cvssOf(cvss: { score?: number | null; vectorString?: string | null } | null | undefined): {
  cvssScore: number | null;
  cvssVector: string | null;
} {
  const vector = cvss?.vectorString?.trim() || null;
  const score = typeof cvss?.score === 'number' && (cvss.score > 0 || vector) ? cvss.score : null;
  return { cvssScore: score, cvssVector: vector };
}
