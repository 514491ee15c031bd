/**
 * `Upgrade <package> to version <v1>, <v2> or higher.`: how Trivy, Snyk and the CycloneDX
 * examples word a fix. Anything else is left as text in the description.
 */
const UPGRADE = /^\s*upgrade\s+(\S+)\s+to\s+versions?\s+(.+?)(?:\s+or\s+(?:higher|later|newer))?\s*\.?\s*$/i;
const VERSION = /^v?\d[\w.+~:-]*$/;

/**
 * The fixed versions a recommendation states for this package, only when it names the same
 * package (so a fix for a parent is not mistaken for one of this component) and every token
 * reads as a version; otherwise none, rather than a guess.
 */
export function versionsRecommended(recommendation: string | null | undefined, names: readonly string[]): string[] {
  const match = recommendation ? UPGRADE.exec(recommendation) : null;
  if (!match) return [];
  const named = match[1]!.toLowerCase();
  if (!names.some((name) => name.toLowerCase() === named)) return [];
  const versions = match[2]!.split(/\s*,\s*|\s+or\s+|\s+and\s+/).filter(Boolean);
  return versions.every((version) => VERSION.test(version)) ? versions : [];
}
