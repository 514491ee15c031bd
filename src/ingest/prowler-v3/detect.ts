/**
 * Prowler 3 writes a JSON array of check results with `CheckID`, `StatusExtended` and
 * `FindingUniqueId` (`prowler-<provider>-<check>-...`); those keys together are specific.
 */
export function detectProwlerV3(head: string, _fileName: string): number {
  const body = head.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('[')) return 0;
  const checkShape = /"CheckID"\s*:/.test(head) && /"StatusExtended"\s*:/.test(head);
  if (!checkShape) return 0;
  if (/"FindingUniqueId"\s*:\s*"prowler-/.test(head) || /"AssessmentStartTime"\s*:/.test(head)) return 0.95;
  return 0.6;
}
