import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Anything that runs a parameterized query: the database itself or an open transaction. */
export type Queryable = {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }>;
  /**
   * `COPY <table> FROM STDIN` with rows already in COPY text format: the fastest bulk load.
   * Only on a PostgreSQL server transaction; PGlite's in-process protocol adapter has no COPY.
   */
  copyFrom?(sql: string, text: string): Promise<void>;
};

/**
 * The one database interface of Mobilize. Both storage modes implement it over `pg`, so the
 * same SQL, the same type parsing and the same migrations run on embedded PGlite and on
 * PostgreSQL. Inside `transaction`, use only the `tx` handle: embedded mode has a single
 * connection, and waiting on the outer database from inside a transaction would deadlock.
 */
export type Database = Queryable & {
  readonly kind: 'embedded' | 'server';
  /** Where the data lives, safe to print (no password). */
  readonly location: string;
  /** The pg pool, for libraries that want one (LangGraph's checkpointer, migrations). */
  readonly pool: pg.Pool;
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

/** Wraps a pg pool into a Database. */
async function copyText(client: pg.PoolClient, sql: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

export function databaseFromPool(
  pool: pg.Pool,
  kind: Database['kind'],
  location: string,
  onClose: () => Promise<void> = () => Promise.resolve(),
): Database {
  let closed = false;
  return {
    kind,
    location,
    pool,
    async query(sql, params) {
      const result = await pool.query(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    async transaction(work) {
      const client = await pool.connect();
      const tx: Queryable = {
        async query(sql, params) {
          const result = await client.query(sql, params as unknown[] | undefined);
          return { rows: result.rows, rowCount: result.rowCount ?? 0 };
        },
        copyFrom: kind === 'server' ? (sql, text) => copyText(client, sql, text) : undefined,
      };
      try {
        await client.query('BEGIN');
        const value = await work(tx);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      await onClose();
    },
  };
}
