/**
 * Trivy JSON signatures, strongest first. Trivy's structure is specific (SchemaVersion 2 with
 * ArtifactName/Results, ClusterName with workloads, or a list of {Target, Vulnerabilities});
 * the word "trivy" is not, since other formats (SARIF, CycloneDX) name Trivy as their tool.
 */
export function detectTrivy(head: string): number {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{')) {
    if (/"SchemaVersion"\s*:\s*2\b/.test(text) && /"(?:ArtifactName|ArtifactType|Results)"\s*:/.test(text)) return 0.9;
    if (
      /"ClusterName"\s*:/.test(text) &&
      /"(?:Resources|Vulnerabilities|Misconfigurations)"\s*:\s*\[/.test(text) &&
      /"(?:Results|Namespace)"\s*:/.test(text)
    ) {
      return 0.9;
    }
    if (/"Results"\s*:\s*\[/.test(text) && /"Target"\s*:/.test(text) && /"(?:VulnerabilityID|Class)"\s*:/.test(text)) {
      return 0.5;
    }
    return 0;
  }
  if (/^\[\s*\{\s*"Target"\s*:/.test(text)) return /"(?:VulnerabilityID|Vulnerabilities)"\s*:/.test(text) ? 0.8 : 0.4;
  // Trivy before schema 2 printed a bare `null` for a clean scan; nothing else is more likely.
  if (/^null\s*$/.test(text)) return 0.1;
  return 0;
}
