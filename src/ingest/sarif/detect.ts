/**
 * SARIF logs name their schema (`sarif-schema-2.1.0.json`, schemastore's `sarif-2.1.0*.json`);
 * some producers omit `$schema`, leaving `"version": "2.1.0"` with `"runs"`, a `.sarif` file
 * name, or the `tool.driver` shape as weaker signals.
 */
export function detectSarif(head: string, fileName: string): number {
  if (/"\$schema"\s*:\s*"[^"]*sarif[^"]*"/i.test(head)) return 0.95;
  const hasRuns = /"runs"\s*:\s*\[/.test(head);
  if (!hasRuns) return 0;
  const sarifName = /\.sarif(\.json)?$/i.test(fileName);
  const sarifVersion = /"version"\s*:\s*"2\.1\.0"/.test(head);
  const driverShape = /"tool"\s*:\s*\{\s*"driver"\s*:/.test(head);
  if (sarifVersion && (sarifName || driverShape)) return 0.9;
  if (sarifVersion || sarifName || driverShape) return 0.6;
  return 0;
}
