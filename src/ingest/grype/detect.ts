/**
 * Grype JSON signatures: a top-level `matches` array whose entries carry `matchDetails` and
 * `artifact`, or Grype's `descriptor` (present when the head holds the whole small report).
 * A bare leading `{"matches": [` is only a generic shape.
 */
export function detectGrype(head: string): number {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('{') || !/"matches"\s*:\s*\[/.test(text)) return 0;
  if (/"matchDetails"\s*:/.test(text) && /"artifact"\s*:/.test(text)) return 0.9;
  if (/"descriptor"\s*:\s*\{\s*"name"\s*:\s*"grype"/.test(text)) return 0.9;
  return /^\{\s*"matches"\s*:\s*\[/.test(text) ? 0.4 : 0;
}
