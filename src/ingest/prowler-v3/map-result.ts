import type { AssetIdentifier } from '../../domain/asset.ts';
import type { Suppression } from '../../domain/finding.ts';
import { normalizeSeverity, unique } from '../common/normalize.ts';
import type { FindingOutcome } from '../common/outcome.ts';
import type { ProwlerV3Result } from './schema.ts';

function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** The resource ARN when Prowler has one, else its id (`api.example.com`, an account id). */
function assetHintOf(result: ProwlerV3Result): AssetIdentifier[] {
  const arn = present(result.ResourceArn);
  const id = present(result.ResourceId);
  const hints: AssetIdentifier[] = [];
  if (arn) hints.push({ kind: arn.startsWith('arn:') ? 'arn' : 'resource_id', value: arn });
  else if (id) hints.push({ kind: 'resource_id', value: id });
  const account = present(result.AccountId);
  if (account) hints.push({ kind: 'account', value: account });
  return hints;
}

function descriptionOf(result: ProwlerV3Result): string | null {
  const recommendation = result.Remediation?.Recommendation;
  const references = unique([present(recommendation?.Url), present(result.RelatedUrl)]);
  const parts = [
    present(result.Description),
    present(result.Risk) && `Risk: ${present(result.Risk)}`,
    present(recommendation?.Text) && `Remediation: ${present(recommendation?.Text)}`,
    references.length ? `References:\n${references.map((ref) => `- ${ref}`).join('\n')}` : null,
  ].filter((part): part is string => Boolean(part));
  return parts.length ? parts.join('\n\n') : null;
}

/** Prowler 3 marks allowlisted results with Status WARNING (later MUTED, or `Muted: true`). */
function suppressionOf(status: string, result: ProwlerV3Result): Suppression | null {
  if (status !== 'WARNING' && status !== 'MUTED' && result.Muted !== true) return null;
  return { state: 'suppressed', justification: 'allowlisted in Prowler', detail: `Status ${result.Status}` };
}

/**
 * Maps one Prowler 3 check result. FAIL (and allowlisted results, kept as suppressed) become
 * cloud findings; PASS and INFO are skipped with a warning for the reasons given for the OCSF
 * format: a passed check is not an exposure, and a full-scan ingest closes FAILs that passed.
 */
export function mapProwlerV3Result(result: ProwlerV3Result, raw: unknown, format: string): FindingOutcome {
  const status = result.Status.trim().toUpperCase();
  const resource = present(result.ResourceArn) ?? present(result.ResourceId);
  if (status === 'PASS' || status === 'INFO') {
    return {
      skip: `check "${result.CheckID}" ${status === 'PASS' ? 'passed' : 'reported information only'} on ${resource ?? 'the account'}; not an exposure`,
    };
  }
  if (status !== 'FAIL' && status !== 'MANUAL' && status !== 'WARNING' && status !== 'MUTED') {
    return { skip: `Status "${result.Status}" is not PASS, FAIL, MANUAL, INFO or WARNING; not ingested` };
  }
  return {
    finding: {
      sourceTool: 'prowler',
      format,
      kind: 'cloud',
      ruleId: result.CheckID,
      resource,
      severity: normalizeSeverity(result.Severity),
      title: present(result.StatusExtended) ?? present(result.CheckTitle) ?? result.CheckID,
      description: descriptionOf(result),
      assetHint: assetHintOf(result),
      suppression: suppressionOf(status, result),
      raw,
    },
  };
}
