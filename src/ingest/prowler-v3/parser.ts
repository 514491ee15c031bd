import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectProwlerV3 } from './detect.ts';
import { jsonRootChar } from './json-root.ts';
import { mapProwlerV3Result } from './map-result.ts';
import { parseRecord } from './parse-record.ts';
import { ProwlerV3ResultSchema } from './schema.ts';

const NAME = 'prowler-v3';

async function checkRoot(source: Source): Promise<void> {
  const root = await jsonRootChar(source);
  if (root === '[') return;
  throw new IngestError({
    format: NAME,
    file: source.name,
    pointer: '',
    message:
      root === undefined
        ? 'the file is empty; expected a JSON array of Prowler check results'
        : `expected a JSON array of Prowler check results, found a document starting with "${root}"`,
  });
}

/** Streams each check result of a Prowler 3 JSON report (`$.*`); the array is never held whole. */
async function* parseProwlerV3(source: Source): AsyncGenerator<ParsedRecord> {
  await checkRoot(source);
  for await (const { pointer, value } of streamJson(source, NAME, ['$.*'])) {
    const result = parseRecord(ProwlerV3ResultSchema, value, { format: NAME, file: source.name, pointer });
    const outcome = mapProwlerV3Result(result, value, NAME);
    if ('skip' in outcome) yield { type: 'warning', pointer, message: outcome.skip };
    else yield { type: 'finding', pointer, value: outcome.finding };
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
