import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectProwlerOcsf } from './detect.ts';
import { jsonRootChar } from './json-root.ts';
import { mapProwlerOcsfFinding } from './map-finding.ts';
import { parseRecord } from './parse-record.ts';
import { ProwlerOcsfFindingSchema } from './schema.ts';

const NAME = 'prowler-ocsf';

/** Prowler writes a bare array; anything else is not this format, whatever its extension says. */
async function checkRoot(source: Source): Promise<void> {
  const root = await jsonRootChar(source);
  if (root === '[') return;
  throw new IngestError({
    format: NAME,
    file: source.name,
    pointer: '',
    message:
      root === undefined
        ? 'the file is empty; expected a JSON array of OCSF Detection Findings'
        : `expected a JSON array of OCSF Detection Findings, found a document starting with "${root}"`,
  });
}

/**
 * Streams each OCSF Detection Finding of a Prowler report (`$.*`) into one cloud finding, or a
 * warning for records that state no problem (PASS). The array is never held whole.
 */
async function* parseProwlerOcsf(source: Source): AsyncGenerator<ParsedRecord> {
  await checkRoot(source);
  for await (const { pointer, value } of streamJson(source, NAME, ['$.*'])) {
    const record = parseRecord(ProwlerOcsfFindingSchema, value, { format: NAME, file: source.name, pointer });
    const outcome = mapProwlerOcsfFinding(record, value, NAME);
    if ('skip' in outcome) yield { type: 'warning', pointer, message: outcome.skip };
    else yield { type: 'finding', pointer, value: outcome.finding };
  }
}

/** Prowler (4.x/5.x) `--output-formats json-ocsf`: AWS, Azure, GCP, Kubernetes, M365 checks. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'scanner',
  title: 'Prowler OCSF JSON (Detection Finding array)',
  detect: detectProwlerOcsf,
  parse: parseProwlerOcsf,
};
