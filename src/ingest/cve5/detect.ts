/**
 * A CVE JSON 5 record names itself (`"dataType": "CVE_RECORD"`); records without it still have
 * `cveMetadata` and `containers` at the top. Feeds that embed CVE records elsewhere do not start so.
 */
export function detectCve5(head: string, _fileName: string): number {
  const firstKey = /^\uFEFF?\s*\{\s*"([^"]+)"\s*:/.exec(head)?.[1];
  if (!firstKey) return 0;
  const hasMetadata = /"cveMetadata"\s*:\s*\{/.test(head);
  if (/"dataType"\s*:\s*"CVE_RECORD"/.test(head) && hasMetadata) return 0.95;
  const topLevel = ['dataType', 'dataVersion', 'cveMetadata', 'containers'].includes(firstKey);
  if (topLevel && hasMetadata && /"containers"\s*:\s*\{/.test(head)) return 0.7;
  return 0;
}
