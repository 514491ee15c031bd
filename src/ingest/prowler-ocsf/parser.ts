import { requireJsonRoot } from '../common/json-root.ts';
import { streamJson } from '../common/json-stream.ts';
import { outcomeRecord } from '../common/outcome.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectProwlerOcsf } from './detect.ts';
import { mapProwlerOcsfFinding } from './map-finding.ts';
import { ProwlerOcsfFindingSchema } from './schema.ts';

const NAME = 'prowler-ocsf';

/**
 * Streams each OCSF Detection Finding of a Prowler report (`$.*`) into one cloud finding, or a
 * warning for records that state no problem (PASS). The array is never held whole.
 */
async function* parseProwlerOcsf(source: Source): AsyncGenerator<ParsedRecord> {
  // Prowler writes a bare array; anything else is not this format, whatever its extension says.
  await requireJsonRoot(source, NAME, ['['], 'a JSON array of OCSF Detection Findings');
  for await (const { pointer, value } of streamJson(source, NAME, ['$.*'])) {
    const record = parseRecord(ProwlerOcsfFindingSchema, value, { format: NAME, file: source.name, pointer });
    yield outcomeRecord(pointer, mapProwlerOcsfFinding(record, value, NAME));
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
