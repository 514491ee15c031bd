/**
 * FIRST's EPSS CSV starts with `#model_version:` (since v2022) or directly with the header
 * `cve,epss,percentile`; both are unique to it. Gzipped downloads must be unpacked first.
 */
export function detectEpss(head: string, fileName: string): number {
  const text = head.replace(/^\uFEFF/, '');
  if (/^#model_version:/i.test(text)) return 0.95;
  const firstRow = text.split(/\r?\n/).find((line) => line.trim() && !line.startsWith('#'));
  if (firstRow && /^"?cve"?\s*,\s*"?epss"?\s*,\s*"?percentile"?\s*$/i.test(firstRow.trim())) {
    return /\.csv$/i.test(fileName) ? 0.9 : 0.8;
  }
  return 0;
}
