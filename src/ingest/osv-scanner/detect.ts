/**
 * osv-scanner's JSON starts with `{"results": [{"source": {"path": ...` and carries an
 * `experimental_config` block; a `results[].packages[].package` shape alone is a weaker sign.
 * OSV advisories (`id`, `affected`) and other tools' reports have neither.
 */
export function detectOsvScanner(head: string, _fileName: string): number {
  if (/"results"\s*:\s*\[\s*\{\s*"source"\s*:\s*\{\s*"path"\s*:/.test(head)) return 0.9;
  if (/"experimental_config"\s*:\s*\{/.test(head) && /"results"\s*:\s*\[/.test(head)) return 0.9;
  if (/"results"\s*:\s*\[/.test(head) && /"packages"\s*:\s*\[\s*\{\s*"package"\s*:\s*\{/.test(head)) return 0.5;
  return 0;
}
