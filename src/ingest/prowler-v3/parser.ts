import { requireJsonRoot } from '../common/json-root.ts';
import { streamJson } from '../common/json-stream.ts';
import { outcomeRecord } from '../common/outcome.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectProwlerV3 } from './detect.ts';
import { mapProwlerV3Result } from './map-result.ts';
import { ProwlerV3ResultSchema } from './schema.ts';

const NAME = 'prowler-v3';

/** Streams each check result of a Prowler 3 JSON report (`$.*`); the array is never held whole. */
async function* parseProwlerV3(source: Source): AsyncGenerator<ParsedRecord> {
  await requireJsonRoot(source, NAME, ['['], 'a JSON array of Prowler check results');
  for await (const { pointer, value } of streamJson(source, NAME, ['$.*'])) {
    const result = parseRecord(ProwlerV3ResultSchema, value, { format: NAME, file: source.name, pointer });
    yield outcomeRecord(pointer, mapProwlerV3Result(result, value, NAME));
  }
}

/** Prowler 3.x native JSON (`-M json`): AWS, Azure and GCP check results. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'scanner',
  title: 'Prowler 3 JSON (check result array)',
  detect: detectProwlerV3,
  parse: parseProwlerV3,
};
