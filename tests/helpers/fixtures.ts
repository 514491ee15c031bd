import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ParsedRecord, Source } from '../../src/ingest/format.ts';
import { loadFormats } from '../../src/ingest/registry.ts';

/** The shared conformance samples (../shared/fixtures); tests skip with a message when absent. */
export const SHARED_FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
export const hasSharedFixtures = fs.existsSync(SHARED_FIXTURES);
export const SKIP_NO_FIXTURES = `shared fixtures not found at ${SHARED_FIXTURES}; skipping conformance tests`;

/** Our own small fixtures under tests/fixtures/<format>/. */
export const OWN_FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

export function fileSource(file: string): Source {
  return { name: file, size: fs.statSync(file).size, open: () => fs.createReadStream(file) };
}

export function textSource(name: string, text: string | Buffer): Source {
  return { name, size: Buffer.byteLength(text), open: () => Readable.from([Buffer.from(text)]) };
}

/** Parses a source with a named format and collects every record. */
export async function parseWith(formatName: string, source: Source): Promise<ParsedRecord[]> {
  const format = (await loadFormats()).get(formatName);
  const records: ParsedRecord[] = [];
  for await (const record of format.parse(source)) records.push(record);
  return records;
}

/** Only the findings of parsed records. */
export function findingsOf(records: ParsedRecord[]) {
  return records.flatMap((r) => (r.type === 'finding' ? [r.value] : []));
}

/** Detects the format of a file as the pipeline does (first 64 KiB + file name). */
export async function detectFile(file: string): Promise<string> {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(64 * 1024);
  const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
  fs.closeSync(fd);
  return (await loadFormats()).detect(buffer.subarray(0, read).toString('utf8'), path.basename(file)).name;
}
