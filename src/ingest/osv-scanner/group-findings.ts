import type { z } from 'zod';
import type { FindingSchema, Suppression } from '../../domain/finding.ts';
import { normalizeEcosystem, normalizeVulnId, severityFromScore, unique } from '../common/normalize.ts';
import type { ParsedRecord } from '../format.ts';
import { advisorySeverityOf, cvssVectorOf, cwesOf, fixedVersionsFor, gitRepositoryOf, purlFor } from './osv-record.ts';
import type { OsvGroup, OsvPackageEntry, OsvRecord, OsvSource } from './schema.ts';

type FindingInput = z.input<typeof FindingSchema>;

/** A record of the package entry, with its index in `vulnerabilities` and its text as in the file. */
type Member = { record: OsvRecord; index: number; raw: unknown };

/** A package entry as it was in the file (already validated), kept for `raw`. */
export type RawPackageEntry = { package?: unknown; vulnerabilities?: unknown[]; groups?: unknown[] };

type PackageContext = {
  format: string;
  pointer: string;
  source: OsvSource;
  raw: RawPackageEntry;
};

/** Groups as osv-scanner wrote them, plus one per record it left ungrouped (older versions). */
function groupsOf(entry: OsvPackageEntry): OsvGroup[] {
  const groups = [...(entry.groups ?? [])];
  const grouped = new Set(groups.flatMap((group) => group.ids));
  for (const record of entry.vulnerabilities ?? []) {
    if (!grouped.has(record.id)) groups.push({ ids: [record.id] });
  }
  return groups;
}

/**
 * osv-scanner's call analysis: when every analysed id of the group is reported as not called,
 * the vulnerable code is unreachable from the project (VEX `vulnerable_code_not_in_execute_path`).
 */
function suppressionOf(group: OsvGroup): Suppression | null {
  const analyses = Object.values(group.experimental_analysis ?? {});
  if (!analyses.length || analyses.some((analysis) => analysis.called !== false)) return null;
  return {
    state: 'not_affected',
    justification: 'vulnerable_code_not_in_execute_path',
    detail: 'osv-scanner call analysis: the vulnerable functions are not called',
  };
}

function maxSeverityScore(group: OsvGroup): number | null {
  const score = Number(group.max_severity);
  return group.max_severity?.trim() && Number.isFinite(score) && score >= 0 && score <= 10 ? score : null;
}

function groupFinding(
  entry: OsvPackageEntry,
  group: { parsed: OsvGroup; raw: unknown },
  members: Member[],
  context: PackageContext,
): FindingInput {
  const records = members.map((member) => member.record);
  const primary = records[0]!;
  const pkg = entry.package;
  const packageName = pkg.name || gitRepositoryOf(records);
  const packageVersion = pkg.version || pkg.commit || null;
  const score = maxSeverityScore(group.parsed);
  const aliases = unique(
    [...(group.parsed.aliases ?? []), ...records.flatMap((record) => [record.id, ...(record.aliases ?? [])])].map(
      normalizeVulnId,
    ),
  ).filter((id) => id !== normalizeVulnId(primary.id));
  const summary = records.map((record) => record.summary?.trim()).find(Boolean);
  const details = records.map((record) => record.details?.trim()).find(Boolean);
  return {
    sourceTool: 'osv-scanner',
    sourceVersion: null,
    format: context.format,
    kind: 'package',
    ruleId: primary.id,
    aliases,
    packageName: packageName || null,
    ecosystem: normalizeEcosystem(pkg.ecosystem),
    packageVersion,
    fixedVersions: fixedVersionsFor(records, pkg),
    purl: purlFor(records, pkg),
    location: context.source.path || null,
    severity: score === null ? advisorySeverityOf(records) : severityFromScore(score),
    cvssScore: score,
    cvssVector: cvssVectorOf(records),
    cwes: cwesOf(records),
    title:
      summary ?? `${primary.id} in ${packageName || 'unknown package'}${packageVersion ? `@${packageVersion}` : ''}`,
    description: details ?? summary ?? null,
    assetHint: context.source.path ? [{ kind: 'name', value: context.source.path }] : [],
    suppression: suppressionOf(group.parsed),
    raw: {
      package: context.raw.package,
      group: group.raw,
      vulnerabilities: members.map((member) => member.raw),
    },
  };
}

/**
 * One finding per (package, osv-scanner group). osv-scanner groups the records that are aliases
 * of one another (a GHSA and the PYSEC of the same CVE); counting each record would report one
 * flaw twice. The group's first id (osv-scanner sorts them) is the rule id, every other id and
 * alias becomes an alias, and facts are merged over the group's records.
 */
export function packageRecords(entry: OsvPackageEntry, context: PackageContext): ParsedRecord[] {
  const byId = new Map<string, Member>();
  (entry.vulnerabilities ?? []).forEach((record, index) => {
    if (!byId.has(record.id)) byId.set(record.id, { record, index, raw: context.raw.vulnerabilities?.[index] });
  });
  const out: ParsedRecord[] = [];
  groupsOf(entry).forEach((group, groupIndex) => {
    const members = group.ids.map((id) => byId.get(id)).filter((member): member is Member => Boolean(member));
    if (!members.length) {
      out.push({
        type: 'warning',
        pointer: `${context.pointer}/groups/${groupIndex}`,
        message: `group ${group.ids.join(', ')} has no vulnerability record in this package entry; skipped`,
      });
      return;
    }
    out.push({
      type: 'finding',
      pointer: `${context.pointer}/vulnerabilities/${members[0]!.index}`,
      // Groups osv-scanner wrote keep their text as in the file; synthesized ones are our own.
      value: groupFinding(entry, { parsed: group, raw: context.raw.groups?.[groupIndex] ?? group }, members, context),
    });
  });
  if (entry.license_violations?.length) {
    out.push({
      type: 'warning',
      pointer: `${context.pointer}/license_violations`,
      message: `license violations (${entry.license_violations.join(', ')}) are not security findings; not ingested`,
    });
  }
  return out;
}
