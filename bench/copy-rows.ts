import type { Database } from '../src/db/database.ts';

/** A column to COPY: its name, and `array`, `json` or `vector` when the value needs that text form. */
export type CopyColumn = { name: string; as?: 'array' | 'json' | 'vector' };

function copyEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** One value in COPY's text format. */
function field(value: unknown, as: CopyColumn['as']): string {
  if (value === null || value === undefined) return '\\N';
  if (as === 'array') {
    return copyEscape(
      `{${(value as unknown[]).map((v) => `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`,
    );
  }
  if (as === 'json') return copyEscape(JSON.stringify(value));
  // Six decimals keep the text small; a cosine over 384 such values moves in the 6th digit at most.
  if (as === 'vector') return `[${Array.from(value as ArrayLike<number>, (v) => v.toFixed(6)).join(',')}]`;
  if (value instanceof Date) return value.toISOString();
  return copyEscape(String(value));
}

/**
 * Bulk-loads rows with `COPY ... FROM STDIN` (PostgreSQL only), `batch` rows per statement so no
 * single text buffer grows past a few tens of MB. Returns the rows written.
 */
export async function copyRows<T>(
  db: Database,
  table: string,
  columns: readonly CopyColumn[],
  rows: Iterable<T>,
  toValues: (row: T) => unknown[],
  batch = 10_000,
): Promise<number> {
  const sql = `COPY ${table} (${columns.map((c) => c.name).join(', ')}) FROM STDIN`;
  let lines: string[] = [];
  let written = 0;
  const flush = async () => {
    if (!lines.length) return;
    const text = `${lines.join('\n')}\n`;
    lines = [];
    await db.transaction(async (tx) => {
      if (!tx.copyFrom) throw new Error(`${table}: COPY needs a PostgreSQL server (this database has no COPY)`);
      await tx.copyFrom!(sql, text);
    });
  };
  for (const row of rows) {
    const values = toValues(row);
    lines.push(values.map((value, i) => field(value, columns[i]!.as)).join('\t'));
    written += 1;
    if (lines.length >= batch) await flush();
  }
  await flush();
  return written;
}
