import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EpssScoreSchema } from '../../../src/domain/intel.ts';
import { format } from '../../../src/ingest/epss/parser.ts';
import type { ParsedRecord, Source } from '../../../src/ingest/format.ts';
import { fileSource, OWN_FIXTURES, parseAll, textSource } from '../../helpers/fixtures.ts';
import { describeBadInput, describeSharedDetection } from '../../helpers/ingest-tests.ts';

const OWN = path.join(OWN_FIXTURES, 'epss', 'epss_scores-2025-06-01.csv');
const MODEL_LINE = '#model_version:v2025.03.14,score_date:2025-06-01T00:00:00+0000';

const parse = (source: Source) => parseAll(format, source);

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

const ownText = fs.readFileSync(OWN, 'utf8').trimEnd();

describeBadInput(
  format,
  [
    [
      'a row whose score is not a probability, naming the line',
      `${MODEL_LINE}\ncve,epss,percentile\nCVE-2024-3400,1.7,0.9\n`,
      'epss.csv (epss) at line 3: expected "epss" to be a number between 0 and 1, found "1.7"',
      { pointer: 'line 3' },
    ],
    [
      'a row without a CVE id',
      'cve,epss,percentile\n,0.1,0.2\n',
      'epss.csv (epss) at line 2: expected "cve" to be a CVE id like CVE-2024-1234, found ""',
    ],
    [
      'a truncated last row (a missing column)',
      ownText.slice(0, ownText.lastIndexOf(',')),
      'cut.csv (epss) at line 8: expected as many columns as the header, found 2',
      { file: 'cut.csv' },
    ],
    [
      'invalid CSV (an unclosed quote)',
      'cve,epss,percentile\n"CVE-2024-3400,0.1,0.2\n',
      /^epss\.csv \(epss\) at line \d+: invalid CSV \(Quote Not Closed/,
    ],
    [
      'an empty file',
      '',
      'empty.csv (epss): the file is empty; expected an EPSS CSV ("cve,epss,percentile")',
      { file: 'empty.csv' },
    ],
    [
      'a file without the header',
      'id,score\nCVE-2024-3400,0.9\n',
      'scores.csv (epss) at line 1: expected the header "cve,epss,percentile", found "id,score"',
      { file: 'scores.csv' },
    ],
  ],
  { file: 'epss.csv' },
);

describe('epss: detection', () => {
  it('claims the model line or the header', () => {
    expect(format.detect(fs.readFileSync(OWN, 'utf8'), 'epss_scores-2025-06-01.csv')).toBe(0.95);
    expect(format.detect('cve,epss,percentile\nCVE-2024-3400,0.9,0.9\n', 'scores.csv')).toBe(0.9);
    expect(format.detect('cve,cvss\nCVE-2024-3400,10\n', 'scores.csv')).toBe(0);
  });
});

// Claims no shared sample (there is no shared EPSS file).
describeSharedDetection(format, []);
