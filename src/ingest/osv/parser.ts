import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectOsv } from './detect.ts';
import { mapOsvRecord } from './map-record.ts';
import { firstSignificantChar, isZip, peekBytes } from './peek.ts';
import { OsvRecordSchema } from './schema.ts';
import { zipEntries } from './zip-entries.ts';

const NAME = 'osv';

/**
 * Validates one record and maps it. `where` locates errors (`file` is `<zip>!<entry>` inside an
 * archive); `address` is the record's pointer for the pipeline (the entry name inside an archive).
 */
function toAdvisory(value: unknown, where: { file: string; pointer: string }, address = where.pointer): ParsedRecord {
  const record = parseRecord(OsvRecordSchema, value, { format: NAME, ...where });
  return { type: 'advisory', pointer: address, value: mapOsvRecord(record, NAME) };
}

/** A file holding one record (`{...}`) or an array of records (`[{...}, ...]`), streamed either way. */
async function* parseJson(source: Source, shape: string | undefined): AsyncGenerator<ParsedRecord> {
  const path = shape === '[' ? '$.*' : '$';
  for await (const { pointer, value } of streamJson(source, NAME, [path])) {
    yield toAdvisory(value, { file: source.name, pointer });
  }
}

/**
 * An ecosystem export (osv.dev's `<ecosystem>/all.zip`): one JSON record per entry. Errors name
 * `<zip>!<entry>`; entries that are not JSON are reported as warnings rather than dropped silently.
 */
async function* parseZip(source: Source): AsyncGenerator<ParsedRecord> {
  for await (const entry of zipEntries(source, NAME)) {
    const file = `${source.name}!${entry.name}`;
    if ('error' in entry) throw new IngestError({ format: NAME, file, message: entry.error });
    if (!entry.name.toLowerCase().endsWith('.json')) {
      yield { type: 'warning', pointer: entry.name, message: 'not a .json entry; skipped' };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(entry.bytes.toString('utf8'));
    } catch (error) {
      throw new IngestError({
        format: NAME,
        file,
        message: `invalid JSON (${(error as Error).message})`,
        cause: error,
      });
    }
    yield toAdvisory(value, { file, pointer: '' }, entry.name);
  }
}

/** OSV records: GitHub (GHSA), PyPA, Go, RustSec and the other databases osv.dev serves. */
async function* parseOsv(source: Source): AsyncGenerator<ParsedRecord> {
  const head = await peekBytes(source, 4096);
  if (!head.length) {
    throw new IngestError({ format: NAME, file: source.name, message: 'the file is empty; expected an OSV record' });
  }
  if (isZip(head)) yield* parseZip(source);
  else yield* parseJson(source, firstSignificantChar(head));
}

/** OSV JSON advisories: one record, an array of records, or an ecosystem's `all.zip` export. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'advisory',
  title: 'OSV advisories (JSON record, array of records, or an ecosystem all.zip export)',
  detect: detectOsv,
  parse: parseOsv,
};
