import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { IngestError } from '../../src/domain/errors.ts';
import type { IngestFormat, ParsedRecord, Source } from '../../src/ingest/format.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import { fileInput } from '../../src/services/ingest/sources.ts';

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

/** Parses a source with a format and collects every record. */
export async function parseAll(format: Pick<IngestFormat, 'parse'>, source: Source): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  for await (const record of format.parse(source)) records.push(record);
  return records;
}

/** Parses a source with a named format and collects every record. */
export async function parseWith(formatName: string, source: Source): Promise<ParsedRecord[]> {
  return parseAll((await loadFormats()).get(formatName), source);
}

/** Only the findings of parsed records. */
export function findingsOf(records: ParsedRecord[]) {
  return records.flatMap((r) => (r.type === 'finding' ? [r.value] : []));
}

/** The IngestError a parse (or any attempt) rejects with; fails the test if it resolves or throws something else. */
export async function ingestErrorOf(attempt: Promise<unknown>): Promise<IngestError> {
  const error = await attempt.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(IngestError);
  return error as IngestError;
}

/** The first 64 KiB of a file as text, as the pipeline reads it for detect(). */
export function head(file: string): string {
  return fileInput(file, Number.POSITIVE_INFINITY).head;
}

/** Detects the format of a file as the pipeline does (first 64 KiB + file name). */
export async function detectFile(file: string): Promise<string> {
  return (await loadFormats()).detect(head(file), path.basename(file)).name;
}

/** Every file below a folder, recursively (a file is itself). */
export function filesUnder(place: string): string[] {
  if (!fs.statSync(place).isDirectory()) return [place];
  return fs
    .readdirSync(place, { withFileTypes: true })
    .flatMap((entry) => filesUnder(path.join(entry.parentPath, entry.name)));
}

/**
 * Every file of ../shared/fixtures (MANIFEST, READMEs, manifests and `*.expect.json` included),
 * or of one folder or file of it (`under`, relative to it). Empty when the fixtures are absent.
 */
export function sharedFiles(under = ''): string[] {
  return hasSharedFixtures ? filesUnder(path.join(SHARED_FIXTURES, under)) : [];
}

/** The samples of a shared folder (relative to ../shared/fixtures): its files but the `*.expect.json` expectations. */
export function sharedSamples(under: string): string[] {
  return sharedFiles(under).filter((file) => !file.endsWith('.expect.json'));
}
