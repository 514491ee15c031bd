import type { Queryable } from '../database.ts';

/** One column of a batch: its name in SQL, its type, and how to read it from a row object. */
export type BatchColumn<T> = { name: string; type: string; value: (row: T) => unknown };

/** What a batch statement selects from: a SQL fragment and its parameters. */
export type BatchSource = { sql: string; params: unknown[] };

/** Text for COPY's text format: PostgreSQL cannot store U+0000, so it is dropped. */
function copyField(value: unknown, type: string): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (type.endsWith('[]')) {
    text = `{${(value as unknown[])
      .map((v) => `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
      .join(',')}}`;
  } else if (type === 'jsonb' || type === 'json') {
    text = JSON.stringify(value);
  } else if (value instanceof Date) {
    text = value.toISOString();
  } else {
    text = String(value);
  }
  if (text.includes('\u0000') || text.includes('\\u0000')) {
    text = text.replaceAll('\u0000', '').replace(/(?<!\\)\\u0000/g, '');
  }
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * Makes a batch of rows selectable by one statement. On a PostgreSQL server the rows are
 * COPYed into a temporary table (the fastest load PostgreSQL has); on PGlite, which has no COPY
 * over its in-process adapter, they travel as one JSON document read with json_to_recordset.
 * Either way the caller's statement reads `SELECT * FROM (<sql>)` with the same columns.
 */
export async function batchSource<T>(
  tx: Queryable,
  stage: string,
  columns: BatchColumn<T>[],
  rows: T[],
): Promise<BatchSource> {
  if (tx.copyFrom) {
    await tx.query(
      `CREATE TEMP TABLE IF NOT EXISTS ${stage} (${columns.map((c) => `"${c.name}" ${c.type}`).join(', ')}) ON COMMIT DROP`,
    );
    await tx.query(`TRUNCATE ${stage}`);
    const text = rows.map((row) => columns.map((c) => copyField(c.value(row), c.type)).join('\t')).join('\n');
    await tx.copyFrom(`COPY ${stage} FROM STDIN`, `${text}\n`);
    return { sql: `SELECT * FROM ${stage}`, params: [] };
  }
  const objects = rows.map((row) => Object.fromEntries(columns.map((c) => [c.name, c.value(row) ?? null])));
  let json = JSON.stringify(objects);
  if (json.includes('\\u0000')) json = json.replace(/(?<!\\)\\u0000/g, '');
  return {
    sql: `SELECT * FROM json_to_recordset($1::json) AS t(${columns.map((c) => `"${c.name}" ${c.type}`).join(', ')})`,
    params: [json],
  };
}
