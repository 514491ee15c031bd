import { normalizeEcosystem, parsePurl, unique } from '../common/normalize.ts';

/** The dependency a vulnerability result is about. */
export type PackageFacts = {
  name: string | null;
  version: string | null;
  ecosystem: string | null;
  fixedVersions: string[];
  purl: string | null;
};

const FACT_LINE =
  /^[ \t*|]*(Package|Installed Version|Version|Fixed Version|Fix Version|Type|PURL)[ \t*]*:[ \t]*(.*)$/gim;

/** `Package: x` / `Installed Version: y` lines, first occurrence wins. */
function factLines(texts: (string | null)[]): Map<string, string> {
  const facts = new Map<string, string>();
  for (const text of texts) {
    for (const match of (text ?? '').matchAll(FACT_LINE)) {
      const key = match[1]!.toLowerCase();
      const value = match[2]!.trim();
      if (!facts.has(key)) facts.set(key, value);
    }
  }
  return facts;
}

/**
 * Package facts for a vulnerability result. SARIF has no package field: Grype and Trivy state
 * the package in `Package:` / `Version:` / `Fixed Version:` lines of the result message or rule
 * help, and dependency-check names it as a purl in the artifact's properties.
 */
export function packageFactsOf(texts: (string | null)[], artifactPurl: string | null): PackageFacts | null {
  const lines = factLines(texts);
  const purl = lines.get('purl') || artifactPurl;
  const fromPurl = parsePurl(purl);
  const name = lines.get('package') || fromPurl?.name || null;
  if (!name) return null;
  const fixed = lines.get('fixed version') ?? lines.get('fix version') ?? '';
  return {
    name,
    version: lines.get('installed version') || lines.get('version') || fromPurl?.version || null,
    ecosystem: normalizeEcosystem(lines.get('type')) ?? fromPurl?.ecosystem ?? null,
    fixedVersions: unique(fixed.split(/\s*,\s*/).map((version) => version.trim())),
    purl: purl || null,
  };
}
