import type { Severity } from '../../domain/common.ts';
import { normalizeCwe, normalizeSeverity, unique } from '../common/normalize.ts';
import type { OsvPackage, OsvRecord } from './schema.ts';

const SEVERITY_RANK: Severity[] = ['unknown', 'info', 'low', 'medium', 'high', 'critical'];

function ecosystemBase(ecosystem: string | null | undefined): string {
  return (ecosystem ?? '').split(':')[0]!.trim().toLowerCase();
}

/** `affected` entries for this package (names compared case-insensitively, `Debian:12` ~ `Debian`). */
function affectedFor(record: OsvRecord, pkg: OsvPackage) {
  const affected = record.affected ?? [];
  const matching = affected.filter(
    (entry) =>
      entry.package?.name?.toLowerCase() === pkg.name.toLowerCase() &&
      ecosystemBase(entry.package?.ecosystem) === ecosystemBase(pkg.ecosystem),
  );
  return matching.length ? matching : affected;
}

/**
 * Versions that fix these records for this package: `fixed` events of its affected ranges, in
 * order. GIT ranges name commits, which are no upgrade target for an ecosystem package; they
 * count only for a git source (a package without an ecosystem).
 */
export function fixedVersionsFor(records: OsvRecord[], pkg: OsvPackage): string[] {
  const fromGit = !pkg.ecosystem;
  return unique(
    records.flatMap((record) =>
      affectedFor(record, pkg).flatMap((entry) =>
        (entry.ranges ?? [])
          .filter((range) => fromGit || range.type !== 'GIT')
          .flatMap((range) => range.events.map((event) => event.fixed)),
      ),
    ),
  );
}

/** For a git source (no package name), the repository the records' GIT ranges describe. */
export function gitRepositoryOf(records: OsvRecord[]): string | null {
  for (const record of records) {
    for (const entry of record.affected ?? []) {
      const repo = entry.ranges?.find((range) => range.type === 'GIT' && range.repo)?.repo;
      if (repo) return repo;
    }
  }
  return null;
}

/** The package purl OSV gives (without version), completed with the installed version. */
export function purlFor(records: OsvRecord[], pkg: OsvPackage): string | null {
  const base = records.flatMap((record) => affectedFor(record, pkg)).find((entry) => entry.package?.purl)
    ?.package?.purl;
  if (!base) return null;
  // purl percent-encodes an `@` in a namespace, so a literal one means a version is present.
  return pkg.version && !base.includes('@') ? `${base}@${encodeURIComponent(pkg.version)}` : base;
}

/** GHSA's `database_specific.cwe_ids`, and `affected[].database_specific.cwes[].cweId` of other sources. */
export function cwesOf(records: OsvRecord[]): string[] {
  const raw = records.flatMap((record) => {
    const ids = record.database_specific?.cwe_ids;
    const fromAffected = (record.affected ?? []).flatMap((entry) => {
      const cwes = entry.database_specific?.cwes;
      return Array.isArray(cwes) ? cwes.map((cwe) => (cwe as { cweId?: unknown })?.cweId) : [];
    });
    return [...(Array.isArray(ids) ? ids : []), ...fromAffected];
  });
  return unique(raw.map(normalizeCwe));
}

/** The first CVSS vector of the records, v3 before v4 before v2 (the records list the primary first). */
export function cvssVectorOf(records: OsvRecord[]): string | null {
  const entries = records.flatMap((record) => record.severity ?? []);
  for (const type of ['CVSS_V3', 'CVSS_V4', 'CVSS_V2']) {
    const found = entries.find((entry) => entry.type === type && entry.score.trim());
    if (found) return found.score.trim();
  }
  return null;
}

/** The highest advisory severity word (GHSA `database_specific.severity`: LOW..CRITICAL) of the records. */
export function advisorySeverityOf(records: OsvRecord[]): Severity {
  return records
    .map((record) => normalizeSeverity(record.database_specific?.severity))
    .reduce<Severity>(
      (best, next) => (SEVERITY_RANK.indexOf(next) > SEVERITY_RANK.indexOf(best) ? next : best),
      'unknown',
    );
}
