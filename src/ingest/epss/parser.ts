import { parse } from 'csv-parse';
import { IngestError } from '../../domain/errors.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectEpss } from './detect.ts';
import { readFirstLine } from './first-line.ts';
import { type EpssColumns, readHeader, readModelLine, readRow } from './rows.ts';

const NAME = 'epss';

type CsvRow = { record: string[]; info: { lines: number } };

/**
 * Streams FIRST's daily EPSS CSV (about 300k rows): an optional `#model_version:...,score_date:...`
 * line, the header `cve,epss,percentile`, then one score per CVE. The model line is read first on
 * its own (a cheap peek), so the CSV parser can skip comments and keep a strict column count,
 * which is much faster than letting a two-cell line relax it. Every error names the CSV line.
 */
async function* parseEpss(source: Source): AsyncGenerator<ParsedRecord> {
  const fail = (line: number | undefined, message: string, cause?: unknown): never => {
    throw new IngestError({
      format: NAME,
      file: source.name,
      pointer: line ? `line ${line}` : undefined,
      message,
      cause,
    });
  };
  const model = readModelLine(await readFirstLine(source));
  let columns: EpssColumns | null = null;
  let lines = 0;
  const rows = source
    .open()
    .pipe(parse({ bom: true, comment: '#', comment_no_infix: true, info: true, skip_empty_lines: true }));
  try {
    for await (const { record, info } of rows as AsyncIterable<CsvRow>) {
      lines = info.lines;
      if (!columns) {
        columns =
          readHeader(record) ??
          fail(info.lines, `expected the header "cve,epss,percentile", found "${record.join(',')}"`);
        continue;
      }
      const row = readRow(record, columns, model);
      if (typeof row === 'string') fail(info.lines, row);
      else yield { type: 'epss', pointer: `line ${info.lines}`, value: row };
    }
  } catch (error) {
    if (error instanceof IngestError) throw error;
    const { code, lines: at, record } = error as { code?: string; lines?: number; record?: unknown[] };
    // The CSV parser reads ahead, so this can surface before the header row reached us.
    if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      fail(at, `expected as many columns as the header, found ${record?.length ?? 'a different number'}`, error);
    }
    fail(at ?? lines, `invalid CSV (${(error as Error).message})`, error);
  }
  if (!columns) {
    fail(
      undefined,
      lines
        ? 'expected the header "cve,epss,percentile"'
        : 'the file is empty; expected an EPSS CSV ("cve,epss,percentile")',
    );
  }
}

/** FIRST EPSS daily scores (CSV, as published at epss.cyentia.com / api.first.org). */
export const format: IngestFormat = {
  name: NAME,
  kind: 'advisory',
  title: 'FIRST EPSS scores (CSV)',
  detect: detectEpss,
  parse: parseEpss,
};
