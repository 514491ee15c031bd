import type { z } from 'zod';
import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectOsvScanner } from './detect.ts';
import { packageRecords, type RawPackageEntry } from './group-findings.ts';
import { type OsvPackageEntry, OsvPackageEntrySchema, type OsvSource, OsvSourceSchema } from './schema.ts';

const NAME = 'osv-scanner';

const SOURCE_PATH = '$.results.*.source';
const PACKAGE_PATH = '$.results.*.packages.*';
const GENERIC_PATH = '$.experimental_generic_findings.*';

/** `/results/2/packages/5` -> 2. */
function resultIndexOf(pointer: string): number {
  return Number(pointer.split('/')[2]);
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, source: Source, pointer: string): T {
  return parseRecord(schema, value, { format: NAME, file: source.name, pointer });
}

/** Every result's `source`, for the rare report whose `source` follows its `packages`. */
async function collectSources(source: Source): Promise<Map<number, OsvSource>> {
  const sources = new Map<number, OsvSource>();
  for await (const { pointer, value } of streamJson(source, NAME, [SOURCE_PATH])) {
    sources.set(resultIndexOf(pointer), parseWith(OsvSourceSchema, value, source, pointer));
  }
  return sources;
}

function recordsOf(value: unknown, pointer: string, sourceInfo: OsvSource | undefined, source: Source): ParsedRecord[] {
  if (!sourceInfo) {
    throw new IngestError({
      format: NAME,
      file: source.name,
      pointer: `/results/${resultIndexOf(pointer)}/source`,
      message: 'expected "source" with the "path" of the scanned lockfile, SBOM or directory (it is missing)',
    });
  }
  const entry: OsvPackageEntry = parseWith(OsvPackageEntrySchema, value, source, pointer);
  return packageRecords(entry, { format: NAME, pointer, source: sourceInfo, raw: value as RawPackageEntry });
}

const GENERIC_WARNING = 'osv-scanner experimental generic findings are not ingested';

/**
 * Streams osv-scanner JSON one package entry at a time. osv-scanner writes each result's
 * `source` before its `packages` (Go struct order), so one pass suffices; if a report puts a
 * `source` after its packages, the packages read so far are not emitted, every `source` is
 * read in a first pass and streaming resumes at that result.
 */
async function* parseOsvScanner(source: Source): AsyncGenerator<ParsedRecord> {
  const sources = new Map<number, OsvSource>();
  const warned = new Set<string>();
  let resumeAt: number | undefined;
  for await (const { path, pointer, value } of streamJson(source, NAME, [SOURCE_PATH, PACKAGE_PATH, GENERIC_PATH])) {
    if (path === GENERIC_PATH) {
      warned.add(pointer);
      yield { type: 'warning', pointer, message: GENERIC_WARNING };
    } else if (path === SOURCE_PATH) {
      sources.set(resultIndexOf(pointer), parseWith(OsvSourceSchema, value, source, pointer));
    } else if (!sources.has(resultIndexOf(pointer))) {
      resumeAt = resultIndexOf(pointer);
      break;
    } else {
      yield* recordsOf(value, pointer, sources.get(resultIndexOf(pointer)), source);
    }
  }
  if (resumeAt === undefined) return;

  const allSources = await collectSources(source);
  for await (const { path, pointer, value } of streamJson(source, NAME, [PACKAGE_PATH, GENERIC_PATH])) {
    if (path === GENERIC_PATH) {
      if (!warned.has(pointer)) yield { type: 'warning', pointer, message: GENERIC_WARNING };
    } else if (resultIndexOf(pointer) >= resumeAt) {
      yield* recordsOf(value, pointer, allSources.get(resultIndexOf(pointer)), source);
    }
  }
}

/** osv-scanner JSON (`osv-scanner --format json`): dependency vulnerabilities per lockfile. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'scanner',
  title: 'osv-scanner JSON',
  detect: detectOsvScanner,
  parse: parseOsvScanner,
};
