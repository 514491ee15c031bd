/** Top-level members of an OSV record; a document whose first member is another is someone else's. */
const OSV_KEYS = new Set([
  'schema_version',
  'id',
  'modified',
  'published',
  'withdrawn',
  'aliases',
  'related',
  'upstream',
  'summary',
  'details',
  'severity',
  'affected',
  'references',
  'credits',
  'database_specific',
]);

/** Id prefixes of common OSV databases (GitHub, PyPA, Go, RustSec, OSS-Fuzz, malicious packages, distros). */
const OSV_ID = /"id"\s*:\s*"(GHSA|PYSEC|GO|RUSTSEC|OSV|MAL|DSA|DLA|USN|RHSA|ALSA|CGA)-/;

/**
 * A zip archive (local file header magic). The head is the archive's bytes read as UTF-8, so
 * binary header fields shift offsets; the first entry's name still lies in the first few hundred
 * characters, and an OSV export's entries are `<id>.json`.
 */
function detectZip(head: string, fileName: string): number {
  if (!head.startsWith('PK\u0003\u0004')) return 0;
  const jsonEntry = /\.json/i.test(head.slice(0, 512));
  const zipName = /\.zip$/i.test(fileName);
  if (zipName && jsonEntry) return 0.9;
  if (zipName || jsonEntry) return 0.4;
  return 0;
}

/**
 * OSV records are recognised by their first member being an OSV field (scanner reports that
 * embed OSV records, like osv-scanner's, start with their own members) plus `id` and
 * `modified`, which the schema requires; `schema_version` or a known database prefix make it sure.
 */
export function detectOsv(head: string, fileName: string): number {
  const zip = detectZip(head, fileName);
  if (zip) return zip;
  const firstKey = /^\uFEFF?\s*\[?\s*\{\s*"([^"]+)"\s*:/.exec(head)?.[1];
  if (!firstKey || !OSV_KEYS.has(firstKey)) return 0;
  if (!/"id"\s*:\s*"[^"]+"/.test(head) || !/"modified"\s*:\s*"/.test(head)) return 0;
  if (/"schema_version"\s*:\s*"1\./.test(head) || OSV_ID.test(head)) return 0.9;
  return 0.6;
}
