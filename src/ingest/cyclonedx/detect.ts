/** Every CycloneDX JSON BOM states its format; the schema URL is the other tell. */
const BOM_FORMAT = /"bomFormat"\s*:\s*"CycloneDX"/;
const SCHEMA_URL = /"\$schema"\s*:\s*"https?:\/\/cyclonedx\.org\/schema\/bom-1\.\d+\.schema\.json"/;

/**
 * Confidence that the head of a file is a CycloneDX JSON BOM. The XML form is not ours (it
 * scores 0 so that no JSON parser is asked to read it), and neither are reports that merely
 * mention CycloneDX, such as Trivy's own JSON of a scanned SBOM (`"ArtifactType": "cyclonedx"`).
 */
export function detectCycloneDx(head: string): number {
  if (!head.trimStart().startsWith('{')) return 0;
  return BOM_FORMAT.test(head) || SCHEMA_URL.test(head) ? 0.9 : 0;
}
