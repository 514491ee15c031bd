import type { AssetIdentifier } from '../../domain/asset.ts';
import type { Severity } from '../../domain/common.ts';
import type { Suppression } from '../../domain/finding.ts';
import { normalizeSeverity, unique } from '../common/normalize.ts';
import type { FindingOutcome } from '../common/outcome.ts';
import type { OcsfResource, ProwlerOcsfFinding } from './schema.ts';

/** OCSF severity_id, for reports whose `severity` caption is missing or unusual. */
const SEVERITY_BY_ID: Record<number, Severity> = {
  1: 'info',
  2: 'low',
  3: 'medium',
  4: 'high',
  5: 'critical',
  6: 'critical',
};

function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function severityOf(record: ProwlerOcsfFinding): Severity {
  const fromCaption = normalizeSeverity(record.severity);
  if (fromCaption !== 'unknown') return fromCaption;
  return SEVERITY_BY_ID[record.severity_id ?? 0] ?? 'unknown';
}

/** ARNs are matched as `arn`; GCP, Azure and Kubernetes ids as `resource_id`. */
function resourceHint(resource: OcsfResource): AssetIdentifier | null {
  const uid = present(resource.uid) ?? present(resource.name);
  if (!uid) return null;
  return { kind: uid.startsWith('arn:') ? 'arn' : 'resource_id', value: uid };
}

/** Every resource the check looked at, then the account (or project/subscription) it sits in. */
function assetHintOf(record: ProwlerOcsfFinding): AssetIdentifier[] {
  const hints = (record.resources ?? []).map(resourceHint).filter((hint): hint is AssetIdentifier => hint !== null);
  const account = present(record.cloud?.account?.uid);
  if (account) hints.push({ kind: 'account', value: account });
  const seen = new Set<string>();
  return hints.filter((hint) => {
    const key = `${hint.kind}:${hint.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Check description, risk and remediation: what a reviewer needs, in Prowler's own words. */
function descriptionOf(record: ProwlerOcsfFinding): string | null {
  const references = unique([...(record.remediation?.references ?? []), record.unmapped?.related_url]).filter((ref) =>
    /^https?:\/\//.test(ref),
  );
  const parts = [
    present(record.finding_info.desc),
    present(record.risk_details) && `Risk: ${present(record.risk_details)}`,
    present(record.remediation?.desc) && `Remediation: ${present(record.remediation?.desc)}`,
    references.length ? `References:\n${references.map((ref) => `- ${ref}`).join('\n')}` : null,
  ].filter((part): part is string => Boolean(part));
  return parts.length ? parts.join('\n\n') : null;
}

/** Prowler writes muted findings (mutelist) with OCSF status "Suppressed"; they stay, marked. */
function suppressionOf(record: ProwlerOcsfFinding): Suppression | null {
  if (present(record.status)?.toLowerCase() !== 'suppressed') return null;
  return { state: 'suppressed', justification: 'muted in Prowler', detail: 'OCSF status "Suppressed"' };
}

/**
 * Maps one Prowler OCSF record. FAIL and MANUAL (a check Prowler cannot decide, to verify by
 * hand) become cloud findings. PASS is skipped with a warning rather than kept as a suppressed
 * finding: a passed check is not an exposure, and since a finding's identity does not include
 * its state, a PASS stored as "suppressed" would turn yesterday's FAIL for the same check and
 * resource into a suppressed exposure instead of a resolved one; a full-scan ingest
 * (`--full-scan --scope <account>`) closes FAIL findings that have since passed.
 */
export function mapProwlerOcsfFinding(record: ProwlerOcsfFinding, raw: unknown, format: string): FindingOutcome {
  const ruleId = record.metadata.event_code;
  const status = record.status_code.trim().toUpperCase();
  const resources = record.resources ?? [];
  const resource = present(resources[0]?.uid) ?? present(resources[0]?.name);
  if (status === 'PASS') {
    return { skip: `check "${ruleId}" passed on ${resource ?? 'the account'}; a passed check is not an exposure` };
  }
  if (status !== 'FAIL' && status !== 'MANUAL') {
    return { skip: `status_code "${record.status_code}" is not PASS, FAIL or MANUAL; not ingested` };
  }
  const title =
    present(record.status_detail) ?? present(record.message) ?? present(record.finding_info.title) ?? ruleId;
  return {
    finding: {
      sourceTool: present(record.metadata.product?.name)?.toLowerCase().replace(/\s+/g, '-') ?? 'prowler',
      sourceVersion: present(record.metadata.product?.version),
      format,
      kind: 'cloud',
      ruleId,
      resource,
      severity: severityOf(record),
      title,
      description: descriptionOf(record),
      assetHint: assetHintOf(record),
      suppression: suppressionOf(record),
      raw,
    },
  };
}
