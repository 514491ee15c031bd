/**
 * Prowler's OCSF output is a JSON array of Detection Findings (class_uid 2004) whose
 * `metadata.product.name` is "Prowler". The class alone (another OCSF producer) or the
 * `.ocsf.json` name on an array (e.g. an empty `[]` report) are weaker signals.
 */
export function detectProwlerOcsf(head: string, fileName: string): number {
  const body = head.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('[')) return 0;
  const detectionFinding =
    /"class_uid"\s*:\s*2004\b/.test(head) || /"class_name"\s*:\s*"Detection ?Finding"/.test(head);
  const ocsfShape = /"finding_info"\s*:\s*\{/.test(head) && /"event_code"\s*:/.test(head);
  const prowler =
    /"product"\s*:\s*\{[^{}]*"name"\s*:\s*"Prowler"/i.test(head) || /"product_uid"\s*:\s*"prowler"/i.test(head);
  if ((detectionFinding || ocsfShape) && prowler) return 0.95;
  if (detectionFinding && ocsfShape) return 0.6;
  if (/\.ocsf\.json$/i.test(fileName) && /^\[\s*(\]|\{)/.test(body)) return 0.5;
  return 0;
}
