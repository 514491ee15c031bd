import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IngestError } from '../../../src/domain/errors.ts';
import { EpssScoreSchema } from '../../../src/domain/intel.ts';
import { format } from '../../../src/ingest/epss/parser.ts';
import type { ParsedRecord, Source } from '../../../src/ingest/format.ts';
import { fileSource, hasSharedFixtures, OWN_FIXTURES, SHARED_FIXTURES, textSource } from '../../helpers/fixtures.ts';

const OWN = path.join(OWN_FIXTURES, 'epss', 'epss_scores-2025-06-01.csv');
const MODEL_LINE = '#model_version:v2025.03.14,score_date:2025-06-01T00:00:00+0000';

async function parse(source: Source): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  for await (const record of format.parse(source)) records.push(record);
  return records;
}

async function ingestError(source: Source): Promise<IngestError> {
  const error = await parse(source).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestError);
  return error as IngestError;
}

function* filesUnder(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(file);
    else yield file;
  }
}

function head(file: string): string {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(64 * 1024);
  const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
  fs.closeSync(fd);
  return buffer.subarray(0, read).toString('utf8');
}

const model = { modelVersion: 'v2025.03.14', scoreDate: '2025-06-01T00:00:00+0000' };

describe('epss: own fixture', () => {
  it('maps every row with the model version and score date of the first line', async () => {
    const records = await parse(fileSource(OWN));
    expect(records).toEqual([
      {
        type: 'epss',
        pointer: 'line 3',
        value: { cveId: 'CVE-2021-44228', score: 0.94358, percentile: 0.99957, ...model },
      },
      {
        type: 'epss',
        pointer: 'line 4',
        value: { cveId: 'CVE-2022-22965', score: 0.94467, percentile: 0.99971, ...model },
      },
      {
        type: 'epss',
        pointer: 'line 5',
        value: { cveId: 'CVE-2023-32681', score: 0.00235, percentile: 0.46182, ...model },
      },
      {
        type: 'epss',
        pointer: 'line 6',
        value: { cveId: 'CVE-2023-4863', score: 0.29357, percentile: 0.96412, ...model },
      },
      {
        type: 'epss',
        pointer: 'line 7',
        value: { cveId: 'CVE-2024-3400', score: 0.94286, percentile: 0.99941, ...model },
      },
      {
        type: 'epss',
        pointer: 'line 8',
        value: { cveId: 'CVE-2024-43799', score: 0.00066, percentile: 0.20654, ...model },
      },
    ]);
    for (const record of records)
      if (record.type === 'epss') expect(() => EpssScoreSchema.parse(record.value)).not.toThrow();
  });

  it('reads a file without the model line, with CRLF line ends, a BOM and blank lines', async () => {
    const text = '\uFEFFcve,epss,percentile\r\n\r\ncve-2024-3400,0.94286,0.99941\r\n';
    expect(await parse(textSource('old.csv', text))).toEqual([
      {
        type: 'epss',
        pointer: 'line 3',
        value: { cveId: 'CVE-2024-3400', score: 0.94286, percentile: 0.99941, modelVersion: null, scoreDate: null },
      },
    ]);
  });

  it('streams a large daily file row by row (100k rows)', async () => {
    const lines = [MODEL_LINE, 'cve,epss,percentile'];
    for (let i = 0; i < 100_000; i++) lines.push(`CVE-2024-${10_000 + i},0.0${i % 10}123,0.${(i % 900) + 100}`);
    const body = Buffer.from(lines.join('\n'));
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < body.length; offset += 64 * 1024)
      chunks.push(body.subarray(offset, offset + 64 * 1024));
    const { Readable } = await import('node:stream');
    let count = 0;
    let last: ParsedRecord | undefined;
    for await (const record of format.parse({ name: 'epss.csv', open: () => Readable.from(chunks) })) {
      count += 1;
      last = record;
    }
    expect(count).toBe(100_000);
    expect(last).toEqual({
      type: 'epss',
      pointer: 'line 100002',
      value: { cveId: 'CVE-2024-109999', score: 0.09123, percentile: 0.199, ...model },
    });
  }, 30_000);
});

describe('epss: bad input', () => {
  it('rejects a row whose score is not a probability, naming the line', async () => {
    const error = await ingestError(
      textSource('epss.csv', `${MODEL_LINE}\ncve,epss,percentile\nCVE-2024-3400,1.7,0.9\n`),
    );
    expect(error.pointer).toBe('line 3');
    expect(error.message).toBe(
      'epss.csv (epss) at line 3: expected "epss" to be a number between 0 and 1, found "1.7"',
    );
  });

  it('rejects a row without a CVE id', async () => {
    expect((await ingestError(textSource('epss.csv', 'cve,epss,percentile\n,0.1,0.2\n'))).message).toBe(
      'epss.csv (epss) at line 2: expected "cve" to be a CVE id like CVE-2024-1234, found ""',
    );
  });

  it('rejects a truncated last row (a missing column)', async () => {
    const text = fs.readFileSync(OWN, 'utf8').trimEnd();
    const error = await ingestError(textSource('cut.csv', text.slice(0, text.lastIndexOf(','))));
    expect(error.message).toBe('cut.csv (epss) at line 8: expected as many columns as the header, found 2');
  });

  it('rejects invalid CSV (an unclosed quote)', async () => {
    expect(
      (await ingestError(textSource('epss.csv', 'cve,epss,percentile\n"CVE-2024-3400,0.1,0.2\n'))).message,
    ).toMatch(/^epss\.csv \(epss\) at line \d+: invalid CSV \(Quote Not Closed/);
  });

  it('rejects an empty file and a file without the header', async () => {
    expect((await ingestError(textSource('empty.csv', ''))).message).toBe(
      'empty.csv (epss): the file is empty; expected an EPSS CSV ("cve,epss,percentile")',
    );
    expect((await ingestError(textSource('scores.csv', 'id,score\nCVE-2024-3400,0.9\n'))).message).toBe(
      'scores.csv (epss) at line 1: expected the header "cve,epss,percentile", found "id,score"',
    );
  });
});

describe('epss: detection', () => {
  it('claims the model line or the header', () => {
    expect(format.detect(fs.readFileSync(OWN, 'utf8'), 'epss_scores-2025-06-01.csv')).toBe(0.95);
    expect(format.detect('cve,epss,percentile\nCVE-2024-3400,0.9,0.9\n', 'scores.csv')).toBe(0.9);
    expect(format.detect('cve,cvss\nCVE-2024-3400,10\n', 'scores.csv')).toBe(0);
  });

  it.skipIf(!hasSharedFixtures)('claims no shared sample (there is no shared EPSS file)', () => {
    for (const file of filesUnder(SHARED_FIXTURES))
      expect(format.detect(head(file), path.basename(file)), file).toBe(0);
  });
});
