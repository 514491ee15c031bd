import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectAsff } from './detect.ts';
import { mapAsffFinding } from './map-finding.ts';
import { readAsffRecords } from './read-records.ts';
import { recordStateOf } from './record-state.ts';
import { AsffFindingSchema } from './schema.ts';

const NAME = 'asff';

/**
 * Streams the findings of an ASFF document. Each record is validated, then either skipped with
 * a warning (it states nothing to fix: passed, archived, closed) or mapped to one cloud finding
 * or to one package finding per vulnerable package.
 */
async function* parseAsff(source: Source): AsyncGenerator<ParsedRecord> {
  for await (const { pointer, value } of readAsffRecords(source, NAME)) {
    const finding = parseRecord(AsffFindingSchema, value, { format: NAME, file: source.name, pointer });
    const state = recordStateOf(finding);
    if ('skip' in state) {
      yield { type: 'warning', pointer, message: state.skip };
      continue;
    }
    const context = { format: NAME, pointer, raw: value, suppression: state.suppression };
    for (const mapped of mapAsffFinding(finding, context)) {
      yield { type: 'finding', pointer: mapped.pointer, value: mapped.finding };
    }
  }
}

/** AWS Security Finding Format: Security Hub exports, Inspector, GuardDuty, Prowler `json-asff`. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'scanner',
  title: 'AWS Security Finding Format (Security Hub, Inspector, GuardDuty, Prowler json-asff)',
  detect: detectAsff,
  parse: parseAsff,
};
