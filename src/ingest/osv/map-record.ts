import type { z } from 'zod';
import type { AdvisorySchema, AffectedPackage, AffectedRange } from '../../domain/advisory.ts';
import { normalizeCwe, normalizeSeverity, normalizeVulnId, severityFromScore, unique } from '../common/normalize.ts';
import { cvssBaseScore, preferredCvssVector } from './cvss.ts';
import type { OsvAffected, OsvRange, OsvRecord } from './schema.ts';

type AdvisoryInput = z.input<typeof AdvisorySchema>;

/** An OSV record as our advisory; `source` names the format so stored advisories say where they came from. */
export function mapOsvRecord(record: OsvRecord, source: string): AdvisoryInput {
  const databaseSpecific = record.database_specific ?? {};
  const cvssVector = preferredCvssVector(record.severity ?? []);
  const cvssScore = cvssVector ? cvssBaseScore(cvssVector) : null;
  const id = normalizeVulnId(record.id);
  return {
    id,
    source,
    aliases: unique((record.aliases ?? []).map(normalizeVulnId)).filter((alias) => alias !== id),
    title: record.summary?.trim() || null,
    details: record.details?.trim() || null,
    severity: severityOf(databaseSpecific.severity, cvssScore),
    cvssVector,
    cvssScore,
    cwes: unique(asStrings(databaseSpecific.cwe_ids).map(normalizeCwe)),
    affected: affectedPackages(record.affected ?? []),
    references: (record.references ?? []).map((ref) =>
      ref.type ? { type: ref.type, url: ref.url } : { url: ref.url },
    ),
    publishedAt: record.published ?? null,
    modifiedAt: record.modified ?? null,
    withdrawnAt: record.withdrawn ?? null,
  };
}

/** The database's own rating (GitHub's LOW/MODERATE/HIGH/CRITICAL) first, else the CVSS score's band. */
function severityOf(databaseSeverity: unknown, cvssScore: number | null) {
  const stated = normalizeSeverity(databaseSeverity);
  if (stated !== 'unknown') return stated;
  return cvssScore === null ? 'unknown' : severityFromScore(cvssScore);
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * One entry per (ecosystem, package): GitHub splits a package's version lines into several
 * `affected` entries, and a consumer asking "which versions fix this?" wants them together.
 * An entry without `package` (a bare GIT range) becomes package = the repository URL, ecosystem GIT.
 */
function affectedPackages(entries: readonly OsvAffected[]): AffectedPackage[] {
  const byPackage = new Map<string, AffectedPackage>();
  for (const entry of entries) {
    const ranges = entry.ranges ?? [];
    const target = entry.package
      ? { ecosystem: entry.package.ecosystem, package: entry.package.name }
      : gitTarget(ranges);
    if (!target) continue;
    const key = `${target.ecosystem}\u0000${target.package}`;
    const merged = byPackage.get(key) ?? { ...target, ranges: [], versions: [], fixed: [] };
    merged.ranges.push(...ranges.map(toRange));
    merged.versions = unique([...merged.versions, ...(entry.versions ?? [])]);
    merged.fixed = unique([...merged.fixed, ...fixedVersions(ranges, target.ecosystem === 'GIT')]);
    byPackage.set(key, merged);
  }
  return [...byPackage.values()];
}

function gitTarget(ranges: readonly OsvRange[]): { ecosystem: string; package: string } | null {
  const repo = ranges.find((range) => range.type === 'GIT' && range.repo)?.repo;
  return repo ? { ecosystem: 'GIT', package: repo } : null;
}

function toRange(range: OsvRange): AffectedRange {
  return {
    type: range.type,
    events: range.events.map((event) => {
      const { introduced, fixed, last_affected, limit } = event;
      return Object.fromEntries(
        Object.entries({ introduced, fixed, last_affected, limit }).filter(([, value]) => value !== undefined),
      );
    }),
  };
}

/** `fixed` events are versions, except in GIT ranges where they are commits: those count only for a GIT package. */
function fixedVersions(ranges: readonly OsvRange[], gitPackage: boolean): string[] {
  return ranges
    .filter((range) => (range.type === 'GIT') === gitPackage)
    .flatMap((range) => range.events.flatMap((event) => (event.fixed === undefined ? [] : [event.fixed])));
}
