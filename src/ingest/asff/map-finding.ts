import type { z } from 'zod';
import type { AssetIdentifier } from '../../domain/asset.ts';
import type { Severity } from '../../domain/common.ts';
import type { FindingSchema, Suppression } from '../../domain/finding.ts';
import { normalizeSeverity, normalizeVulnId, severityFromScore, unique } from '../common/normalize.ts';
import { ecosystemOf, fixedVersionsOf, installedVersionOf } from './package-facts.ts';
import { productField } from './product-fields.ts';
import type { AsffCvss, AsffFinding, AsffPackage, AsffResource, AsffVulnerability } from './schema.ts';
import { sourceToolOf, sourceVersionOf } from './source-tool.ts';

type FindingInput = z.input<typeof FindingSchema>;

/** One finding of an ASFF record, with the pointer of the part it came from. */
export type MappedFinding = { pointer: string; finding: FindingInput };

type Context = { format: string; pointer: string; raw: unknown; suppression: Suppression | null };

function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * `Severity.Label` (or the provider's own label); else ASFF's documented bands of
 * `Severity.Normalized` (0 informational, 1-39 low, 40-69 medium, 70-89 high, 90-100 critical).
 */
function severityOf(finding: AsffFinding): Severity {
  const label = normalizeSeverity(finding.Severity?.Label ?? finding.FindingProviderFields?.Severity?.Label);
  if (label !== 'unknown') return label;
  const normalized = finding.Severity?.Normalized;
  if (typeof normalized !== 'number') return 'unknown';
  if (normalized === 0) return 'info';
  return severityFromScore(normalized / 10);
}

/** Resource ARNs match as `arn`, other ids (`i-0abc`, `AWS::::Account:...`) as `resource_id`. */
function resourceHints(resource: AsffResource): AssetIdentifier[] {
  const hints: AssetIdentifier[] = [
    { kind: resource.Id.startsWith('arn:') ? 'arn' : 'resource_id', value: resource.Id },
  ];
  const digest = present(resource.Details?.AwsEcrContainerImage?.ImageDigest);
  if (digest) hints.push({ kind: 'image_digest', value: digest });
  return hints;
}

function assetHintOf(finding: AsffFinding): AssetIdentifier[] {
  const hints = finding.Resources.flatMap(resourceHints);
  const account = present(finding.AwsAccountId);
  if (account) hints.push({ kind: 'account', value: account });
  const seen = new Set<string>();
  return hints.filter((hint) => !seen.has(`${hint.kind}:${hint.value}`) && seen.add(`${hint.kind}:${hint.value}`));
}

/**
 * The rule a posture or threat finding breaks: the consolidated control id (`IAM.5`), else
 * the standard's ControlId, else the GeneratorId. GuardDuty's GeneratorId is its detector ARN,
 * so its finding type (the last segment of `Types`) names the rule instead; Prowler's is
 * `prowler-<check id>`, and the bare check id is what its OCSF and JSON outputs call the rule,
 * so the same check meets across Prowler's formats.
 */
function ruleIdOf(finding: AsffFinding, sourceTool: string): string {
  const control = present(finding.Compliance?.SecurityControlId) ?? productField(finding, 'ControlId');
  if (control) return control;
  if (finding.GeneratorId.startsWith('arn:')) {
    const type = finding.Types?.find((entry) => entry.trim())
      ?.split('/')
      .pop()
      ?.trim();
    if (type) return type;
  }
  if (sourceTool === 'prowler' && /^prowler-./.test(finding.GeneratorId)) {
    return finding.GeneratorId.slice('prowler-'.length);
  }
  return finding.GeneratorId;
}

/**
 * The description, then what the product recommends (its text, a package's own remediation
 * command) and the links to read: the recommendation URL and, for vulnerabilities, the vendor
 * advisory and references. There is no remediation field on a finding, so this is where it goes.
 */
function descriptionOf(
  finding: AsffFinding,
  vulnerability?: AsffVulnerability,
  pkg?: AsffPackage | null,
): string | null {
  const recommendation = finding.Remediation?.Recommendation;
  const text = present(recommendation?.Text);
  const packageRemediation = present(pkg?.Remediation);
  const links = unique([
    present(recommendation?.Url),
    present(vulnerability?.Vendor?.Url),
    ...(vulnerability?.ReferenceUrls ?? []).map(present),
  ]);
  const parts = [
    present(finding.Description),
    text && text !== 'None Provided' ? `Remediation: ${text}` : null,
    packageRemediation ? `Package remediation: ${packageRemediation}` : null,
    links.length ? `References:\n${links.map((link) => `- ${link}`).join('\n')}` : null,
  ].filter((part): part is string => Boolean(part));
  return parts.length ? parts.join('\n\n') : null;
}

/** A CVSS v3 entry is preferred; scores come as numbers or strings and must be 0-10. */
function cvssOf(entries: AsffCvss[]): { cvssScore: number | null; cvssVector: string | null } {
  const chosen = entries.find((entry) => present(entry.Version)?.startsWith('3')) ?? entries[0];
  if (!chosen) return { cvssScore: null, cvssVector: null };
  const score = Number(chosen.BaseScore);
  const valid = chosen.BaseScore !== null && chosen.BaseScore !== undefined && Number.isFinite(score);
  return {
    cvssScore: valid && score >= 0 && score <= 10 ? score : null,
    cvssVector: present(chosen.BaseVector),
  };
}

function common(finding: AsffFinding, context: Context) {
  return {
    sourceTool: sourceToolOf(finding),
    sourceVersion: sourceVersionOf(finding),
    format: context.format,
    resource: finding.Resources[0]!.Id,
    severity: severityOf(finding),
    title: finding.Title.trim(),
    assetHint: assetHintOf(finding),
    suppression: context.suppression,
    raw: context.raw,
  };
}

/** Inspector: one package finding per vulnerable package (or one without a package). */
function packageFindings(finding: AsffFinding, vulnerability: AsffVulnerability, index: number, context: Context) {
  const ruleId = normalizeVulnId(vulnerability.Id);
  const aliases = unique((vulnerability.RelatedVulnerabilities ?? []).map(normalizeVulnId)).filter(
    (id) => id !== ruleId,
  );
  const base = {
    ...common(finding, context),
    kind: 'package' as const,
    ruleId,
    aliases,
    ...cvssOf(vulnerability.Cvss ?? []),
  };
  const packages: (AsffPackage | null)[] = vulnerability.VulnerablePackages?.length
    ? vulnerability.VulnerablePackages
    : [null];
  const vulnerabilityPointer = `${context.pointer}/Vulnerabilities/${index}`;
  return packages.map(
    (pkg, packageIndex): MappedFinding => ({
      pointer: pkg ? `${vulnerabilityPointer}/VulnerablePackages/${packageIndex}` : vulnerabilityPointer,
      finding: {
        ...base,
        packageName: present(pkg?.Name),
        ecosystem: pkg ? ecosystemOf(pkg, finding) : null,
        packageVersion: pkg ? installedVersionOf(pkg) : null,
        fixedVersions: pkg ? fixedVersionsOf(pkg) : [],
        location: present(pkg?.FilePath),
        description: descriptionOf(finding, vulnerability, pkg),
      },
    }),
  );
}

/**
 * Maps one ASFF record that states an exposure. Records with `Vulnerabilities` (Inspector and
 * other vulnerability scanners) give one `package` finding per (vulnerability, package), each
 * pointing at its package; other records (Security Hub controls, GuardDuty, Prowler, partners)
 * give one `cloud` finding. `raw` is the whole ASFF record in every case.
 */
export function mapAsffFinding(finding: AsffFinding, context: Context): MappedFinding[] {
  if (finding.Vulnerabilities?.length) {
    return finding.Vulnerabilities.flatMap((vulnerability, index) =>
      packageFindings(finding, vulnerability, index, context),
    );
  }
  const base = common(finding, context);
  return [
    {
      pointer: context.pointer,
      finding: {
        ...base,
        kind: 'cloud',
        ruleId: ruleIdOf(finding, base.sourceTool),
        description: descriptionOf(finding),
      },
    },
  ];
}
