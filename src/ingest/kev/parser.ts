import { IngestError } from '../../domain/errors.ts';
import { type JsonMatch, streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectKev } from './detect.ts';
import { mapKevEntry } from './map-entry.ts';
import { type KevCatalogEntry, KevCatalogEntrySchema } from './schema.ts';

const NAME = 'kev';
const ENTRIES = '$.vulnerabilities.*';

/** Validates one catalog entry where it stands, so a bad entry fails with its own pointer. */
function readEntry(match: JsonMatch, source: Source): KevCatalogEntry {
  if (match.path !== ENTRIES) {
    throw new IngestError({
      format: NAME,
      file: source.name,
      pointer: '/vulnerabilities',
      message: 'expected "vulnerabilities" to be an array',
    });
  }
  return parseRecord(KevCatalogEntrySchema, match.value, { format: NAME, file: source.name, pointer: match.pointer });
}

/**
 * Streams the CISA KEV catalog: one `kev` record per `vulnerabilities[]` entry, each stamped with
 * the catalog version. The catalog puts its header first; should a copy put `catalogVersion`
 * after the array, entries wait for it (the catalog is a few thousand entries, never large).
 * A `count` that disagrees with the entries read becomes a warning: a truncated download shows.
 */
async function* parseKev(source: Source): AsyncGenerator<ParsedRecord> {
  let catalogVersion: string | null | undefined;
  let count: unknown;
  let isCatalog = false;
  let read = 0;
  const waiting: { pointer: string; entry: KevCatalogEntry }[] = [];
  for await (const match of streamJson(source, NAME, ['$.title', '$.catalogVersion', '$.count', ENTRIES])) {
    if (match.path === '$.title') {
      isCatalog = true;
    } else if (match.path === '$.catalogVersion') {
      isCatalog = true;
      catalogVersion = typeof match.value === 'string' && match.value.trim() ? match.value.trim() : null;
      for (const held of waiting.splice(0)) {
        yield { type: 'kev', pointer: held.pointer, value: mapKevEntry(held.entry, catalogVersion) };
      }
    } else if (match.path === '$.count') {
      count = match.value;
    } else {
      const entry = readEntry(match, source);
      read += 1;
      if (catalogVersion === undefined) waiting.push({ pointer: match.pointer, entry });
      else yield { type: 'kev', pointer: match.pointer, value: mapKevEntry(entry, catalogVersion) };
    }
  }
  if (!isCatalog && !read) {
    throw new IngestError({
      format: NAME,
      file: source.name,
      message: 'expected a KEV catalog: an object with "catalogVersion" and a "vulnerabilities" array',
    });
  }
  for (const held of waiting) yield { type: 'kev', pointer: held.pointer, value: mapKevEntry(held.entry, null) };
  if (typeof count === 'number' && count !== read) {
    yield {
      type: 'warning',
      pointer: '/count',
      message: `the catalog states count ${count} but lists ${read} entries`,
    };
  }
}

/** The CISA Known Exploited Vulnerabilities catalog (JSON). */
export const format: IngestFormat = {
  name: NAME,
  kind: 'advisory',
  title: 'CISA Known Exploited Vulnerabilities catalog (JSON)',
  detect: detectKev,
  parse: parseKev,
};
