import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectCve5 } from './detect.ts';
import { englishText, mapCve5Record } from './map-record.ts';
import { Cve5RecordSchema } from './schema.ts';

const NAME = 'cve5';

/**
 * One CVE JSON 5.x record per file, as cvelistV5 and CVE Services publish them. A REJECTED
 * record is a warning (the id is void, there is nothing to advise), never an advisory.
 */
async function* parseCve5(source: Source): AsyncGenerator<ParsedRecord> {
  let records = 0;
  for await (const { value } of streamJson(source, NAME, ['$'])) {
    records += 1;
    const record = parseRecord(Cve5RecordSchema, value, { format: NAME, file: source.name, pointer: '' });
    if (record.cveMetadata.state === 'REJECTED') {
      const reason = englishText(record.containers.cna.rejectedReasons);
      yield {
        type: 'warning',
        pointer: '/cveMetadata/state',
        message: `${record.cveMetadata.cveId} is REJECTED${reason ? ` (${reason})` : ''}; no advisory created`,
      };
      continue;
    }
    yield { type: 'advisory', pointer: '', value: mapCve5Record(record, NAME) };
  }
  if (!records) throw new IngestError({ format: NAME, file: source.name, message: 'expected a CVE JSON 5 record' });
}

/** CVE JSON 5.x records (CVE Services / cvelistV5), including CISA ADP enrichment. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'advisory',
  title: 'CVE JSON 5.x record (cvelistV5)',
  detect: detectCve5,
  parse: parseCve5,
};
