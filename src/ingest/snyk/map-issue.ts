import type { z } from 'zod';
import type { FindingSchema, Suppression } from '../../domain/finding.ts';
import { normalizeCwe, normalizeEcosystem, normalizeSeverity, normalizeVulnId, unique } from '../common/normalize.ts';
import type { ProjectFacts } from './project-facts.ts';
import type { SnykIssue } from './schema.ts';

type FindingInput = z.input<typeof FindingSchema>;

/** Snyk package managers the shared table does not know. */
const MANAGERS: Record<string, string> = {
  gomodules: 'go',
  golangdep: 'go',
  govendor: 'go',
  sbt: 'maven',
  paket: 'nuget',
  'swift-package-manager': 'swift',
};

function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** `debian:11`, `npm`, `gomodules` -> the OSV ecosystem name. */
function ecosystemOf(manager: string | null): string | null {
  if (!manager) return null;
  const key = manager.trim().toLowerCase();
  return normalizeEcosystem(MANAGERS[key] ?? key);
}

/** Older Snyk output capped `severity` at high and put critical in `severityWithCritical`. */
function severityOf(issue: SnykIssue) {
  return normalizeSeverity(issue.severityWithCritical ?? issue.severity);
}

function scoreOf(value: number | string | null | undefined): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
}

function epssOf(issue: SnykIssue): { score: number; percentile: number } | null {
  const score = scoreOf(issue.epssDetails?.probability);
  const percentile = scoreOf(issue.epssDetails?.percentile);
  return score !== null && percentile !== null ? { score, percentile } : null;
}

/** CVE, GHSA and Snyk's alternative ids; CWE and NSP numbers are not vulnerability ids. */
function aliasesOf(issue: SnykIssue, ruleId: string): string[] {
  const identifiers = issue.identifiers;
  const ids = [...(identifiers?.CVE ?? []), ...(identifiers?.GHSA ?? []), ...(identifiers?.ALTERNATIVE ?? [])];
  return unique(ids.map((id) => normalizeVulnId(String(id)))).filter((id) => id !== ruleId);
}

/**
 * Maps one Snyk issue (a vulnerability or a license-policy issue, for one dependency path) to a
 * package finding. `location` is the project's manifest; the dependency path stays in `raw`.
 */
export function mapSnykIssue(
  issue: SnykIssue,
  raw: unknown,
  project: ProjectFacts,
  context: { format: string; suppression: Suppression | null },
): FindingInput {
  const ruleId = issue.id.trim();
  const packageName = present(issue.packageName) ?? present(issue.name);
  const version = present(issue.version);
  const subject = packageName ? ` in ${packageName}${version ? `@${version}` : ''}` : '';
  const cvssScore = scoreOf(issue.cvssScore);
  return {
    sourceTool: 'snyk',
    format: context.format,
    kind: 'package',
    ruleId,
    aliases: aliasesOf(issue, ruleId),
    packageName,
    ecosystem: ecosystemOf(present(issue.packageManager) ?? project.packageManager),
    packageVersion: version,
    fixedVersions: unique((issue.fixedIn ?? []).map((entry) => entry.trim())),
    location: project.location,
    severity: severityOf(issue),
    cvssScore: cvssScore !== null && cvssScore >= 0 && cvssScore <= 10 ? cvssScore : null,
    cvssVector: present(issue.CVSSv3),
    cwes: unique((issue.identifiers?.CWE ?? []).map(normalizeCwe)),
    title: `${present(issue.title) ?? ruleId}${subject}`,
    description: present(issue.description),
    assetHint: project.assetHint,
    suppression: context.suppression,
    epss: epssOf(issue),
    raw,
  };
}
