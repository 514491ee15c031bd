import type { Severity } from '../../domain/common.ts';
import type { Suppression } from '../../domain/finding.ts';
import { normalizeEcosystem, normalizeSeverity, normalizeVulnId, parsePurl, unique } from '../common/normalize.ts';
import { type RecordSite, readRecord } from '../common/read-record.ts';
import type { FindingInput, ReportContext } from './context.ts';
import { pickCvss } from './cvss.ts';
import { type GrypeIgnoreRule, type GrypeMatch, GrypeMatchSchema } from './schema.ts';

/** Syft package types of OS packages: their distribution is the ecosystem. */
const OS_PACKAGE_TYPES = new Set(['deb', 'rpm', 'apk', 'alpm', 'portage']);

/**
 * OSV ecosystem of the matched package. An OS package's purl namespace (`pkg:deb/ubuntu/...`)
 * or the report's distro names the distribution; other packages use the purl type, then
 * Syft's package type. `pkg:generic` (binaries found by signature) has no ecosystem.
 */
function ecosystemOf(artifact: GrypeMatch['artifact'], distro: string | null): string | null {
  const purl = artifact.purl ?? '';
  if (OS_PACKAGE_TYPES.has(artifact.type ?? '')) {
    return normalizeEcosystem(/^pkg:[^/]+\/([^/]+)\//.exec(purl)?.[1] ?? distro ?? artifact.type);
  }
  if (purl.startsWith('pkg:generic/') || artifact.type === 'binary') return null;
  return parsePurl(purl)?.ecosystem ?? normalizeEcosystem(artifact.type);
}

/**
 * Grype's scale puts Negligible below Low (Debian's "not a real security problem"), which is
 * where our `info` sits; the rest is the common scale.
 */
function severityOf(raw: string | null | undefined): Severity {
  return raw?.toLowerCase() === 'negligible' ? 'info' : normalizeSeverity(raw);
}

/** EPSS of the matched id, else of the first record that carries one. */
function epssOf(match: GrypeMatch): FindingInput['epss'] {
  const entries = [
    ...(match.vulnerability.epss ?? []),
    ...(match.relatedVulnerabilities ?? []).flatMap((related) => related.epss ?? []),
  ];
  const entry = entries.find((e) => e.cve === match.vulnerability.id) ?? entries[0];
  return entry ? { score: entry.epss, percentile: entry.percentile } : null;
}

function describeRule(rule: GrypeIgnoreRule | undefined): string | null {
  if (!rule) return null;
  const parts = [
    rule.vulnerability && `vulnerability ${rule.vulnerability}`,
    rule.package?.name && `package ${rule.package.name}`,
    rule['fix-state'] && `fix-state ${rule['fix-state']}`,
    rule['match-type'] && `match-type ${rule['match-type']}`,
  ].filter(Boolean);
  return `grype ignore rule${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** An `ignoredMatches[]` entry is kept as suppressed: by VEX status when given, else "ignored". */
function suppressionOf(match: GrypeMatch): Suppression {
  const rule = match.appliedIgnoreRules?.[0];
  return {
    state: rule?.['vex-status'] || 'ignored',
    justification: rule?.['vex-justification'] || rule?.reason || null,
    detail: describeRule(rule),
  };
}

/**
 * Maps one Grype match (one vulnerability in one package) to a finding. Every match is its own
 * finding, even where Grype repeats a vulnerability for the same package: the pipeline's
 * fingerprint folds exact repeats. Grype's fix state (fixed, not-fixed, wont-fix) describes the
 * upstream fix, not our exposure, so it stays in `raw`.
 */
export function mapMatch(value: unknown, context: ReportContext, site: RecordSite, ignored: boolean): FindingInput {
  const match = readRecord(GrypeMatchSchema, value, site);
  const { vulnerability, artifact } = match;
  const related = match.relatedVulnerabilities ?? [];
  const version = artifact.version || null;
  const cvss = pickCvss(match);
  const fixed = vulnerability.fix?.versions ?? (vulnerability.fixedInVersion ? [vulnerability.fixedInVersion] : []);
  const ruleKey = normalizeVulnId(vulnerability.id);
  return {
    sourceTool: 'grype',
    sourceVersion: context.toolVersion,
    format: site.format,
    kind: 'package',
    ruleId: vulnerability.id,
    aliases: unique(related.map((r) => normalizeVulnId(r.id))).filter((id) => id !== ruleKey),
    packageName: artifact.name,
    ecosystem: ecosystemOf(artifact, context.distro),
    packageVersion: version,
    fixedVersions: unique(fixed.map((v) => v.trim())),
    purl: artifact.purl || null,
    resource: null,
    location: artifact.locations?.find((location) => location.path)?.path ?? null,
    line: null,
    severity: severityOf(vulnerability.severity),
    cvssScore: cvss?.score ?? null,
    cvssVector: cvss?.vector ?? null,
    cwes: [],
    title: `${vulnerability.id} in ${artifact.name}${version ? `@${version}` : ''}`,
    description: vulnerability.description || related.find((r) => r.description)?.description || null,
    assetHint: context.hints,
    suppression: ignored ? suppressionOf(match) : null,
    epss: epssOf(match),
    raw: value,
  };
}
