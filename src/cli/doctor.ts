import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { migrationStatus } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';
import { describeError } from '../domain/errors.ts';

export type DoctorReport = {
  ok: boolean;
  database: {
    kind: 'embedded' | 'server';
    location: string;
    reachable: boolean;
    serverVersion?: string;
    error?: string;
  };
  pgvector: { available: boolean; installed: boolean; version?: string };
  migrations: { current: boolean; applied: number; files: number; pending: string[] };
  backend: { kind: 'rules' | 'llm'; model?: string; endpoint?: string };
  problems: string[];
};

/** Checks the installation without changing it (no migrations are applied). */
export async function runDoctor(config: Config): Promise<DoctorReport> {
  const backend: DoctorReport['backend'] =
    config.model.backend === 'llm'
      ? { kind: 'llm', model: config.model.chatModel, endpoint: config.model.baseUrl ?? 'https://api.openai.com/v1' }
      : { kind: 'rules' };
  const location = config.database.kind === 'server' ? '(DATABASE_URL)' : config.database.dataDir;
  const report: DoctorReport = {
    ok: false,
    database: { kind: config.database.kind, location, reachable: false },
    pgvector: { available: false, installed: false },
    migrations: { current: false, applied: 0, files: 0, pending: [] },
    backend,
    problems: [],
  };
  let db: Database | undefined;
  let trigramsAvailable = false;
  try {
    db = await openDatabase(config);
    report.database.location = db.location;
    report.database.reachable = true;
    const version = await db.query<{ server_version: string }>('SHOW server_version');
    report.database.serverVersion = version.rows[0]?.server_version;
    const vector = await db.query<{ default_version: string; installed_version: string | null }>(
      "SELECT default_version, installed_version FROM pg_available_extensions WHERE name = 'vector'",
    );
    const row = vector.rows[0];
    report.pgvector = {
      available: Boolean(row),
      installed: Boolean(row?.installed_version),
      version: row?.installed_version ?? row?.default_version,
    };
    if (!row) report.problems.push('pgvector is not available on this PostgreSQL server (scripts/install-pgvector.sh)');
    // Package substring search uses trigrams; pg_trgm ships with PostgreSQL's contrib modules.
    const trgm = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'");
    trigramsAvailable = trgm.rows.length > 0;
    if (!trigramsAvailable) {
      report.problems.push('pg_trgm is not available on this PostgreSQL server (install the contrib modules)');
    }
    report.migrations = await migrationStatus(db);
    if (!report.migrations.current) {
      report.problems.push(`${report.migrations.pending.length} migration(s) pending: run mobilize db migrate`);
    }
  } catch (error) {
    report.database.error = describeError(error);
    report.problems.push(report.database.error);
  } finally {
    await db?.close();
  }
  report.ok = report.database.reachable && report.pgvector.available && trigramsAvailable;
  return report;
}

export function formatDoctor(report: DoctorReport): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  const lines = [
    `${mark(report.database.reachable)} database   ${report.database.kind} ${report.database.location}${
      report.database.serverVersion ? ` (PostgreSQL ${report.database.serverVersion})` : ''
    }`,
    `${mark(report.pgvector.available)} pgvector   ${
      report.pgvector.available
        ? `${report.pgvector.version}${report.pgvector.installed ? '' : ' (not yet created)'}`
        : 'missing'
    }`,
    `${report.migrations.current ? 'ok  ' : 'warn'} migrations ${report.migrations.applied}/${report.migrations.files} applied`,
    `ok   back-end   ${report.backend.kind}${report.backend.model ? ` (${report.backend.model} at ${report.backend.endpoint})` : ' (deterministic, no model configured)'}`,
  ];
  return [...lines, ...report.problems.map((p) => `  - ${p}`)].join('\n');
}
