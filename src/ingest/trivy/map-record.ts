import { type RecordSite, readRecord } from '../common/read-record.ts';
import type { ParsedRecord } from '../format.ts';
import type { RecordContext } from './context.ts';
import { mapMisconfiguration } from './map-misconfiguration.ts';
import { mapSecret } from './map-secret.ts';
import { mapVulnerability } from './map-vulnerability.ts';
import { TrivyLicenseSchema, TrivyModifiedFindingSchema } from './schema.ts';

/** The arrays of a Trivy result that hold records, by record kind. */
export const RECORD_ARRAYS = {
  Vulnerabilities: 'vulnerability',
  Misconfigurations: 'misconfiguration',
  Secrets: 'secret',
  Licenses: 'license',
  ExperimentalModifiedFindings: 'modified',
} as const;
export type TrivyRecordKind = (typeof RECORD_ARRAYS)[keyof typeof RECORD_ARRAYS];

/**
 * License findings are compliance facts, not exposures, and the Finding kinds have no place
 * for them: each one becomes a warning so that nothing is dropped silently.
 */
function skipLicense(value: unknown, site: RecordSite): ParsedRecord {
  const license = readRecord(TrivyLicenseSchema, value, site);
  const of = license.PkgName || license.FilePath;
  return {
    type: 'warning',
    pointer: site.pointer,
    message: `skipped license finding "${license.Name ?? 'unknown'}"${of ? ` of ${of}` : ''}: licenses are not exposures`,
  };
}

/**
 * `ExperimentalModifiedFindings[]` (trivy --show-suppressed): a vulnerability, misconfiguration
 * or secret that .trivyignore or a VEX document suppressed. It is mapped like the live record
 * and kept with its suppression (Status, Statement, Source).
 */
function mapModified(value: unknown, context: RecordContext, site: RecordSite): ParsedRecord {
  const record = readRecord(TrivyModifiedFindingSchema, value, site);
  const inner = { ...site, pointer: `${site.pointer}/Finding` };
  let mapped: ParsedRecord;
  switch (record.Type) {
    case 'vulnerability':
      mapped = { type: 'finding', pointer: site.pointer, value: mapVulnerability(record.Finding, context, inner) };
      break;
    case 'misconfiguration':
      mapped = mapMisconfiguration(record.Finding, context, inner);
      break;
    case 'secret':
      mapped = { type: 'finding', pointer: site.pointer, value: mapSecret(record.Finding, context, inner) };
      break;
    case 'license':
      return skipLicense(record.Finding, inner);
    default:
      return {
        type: 'warning',
        pointer: site.pointer,
        message: `skipped suppressed finding of unknown type "${record.Type}"`,
      };
  }
  if (mapped.type !== 'finding') return mapped;
  const finding = mapped.value;
  return {
    type: 'finding',
    pointer: site.pointer,
    value: {
      ...finding,
      suppression: {
        state: record.Status || 'ignored',
        justification: record.Statement || null,
        detail: record.Source ? `suppressed by ${record.Source}` : null,
      },
      raw: { ...(value as Record<string, unknown>), Finding: finding.raw },
    },
  };
}

/** Maps one record of a result to what the parser emits: a finding or a warning. */
export function mapRecord(
  kind: TrivyRecordKind,
  value: unknown,
  context: RecordContext,
  site: RecordSite,
): ParsedRecord {
  switch (kind) {
    case 'vulnerability':
      return { type: 'finding', pointer: site.pointer, value: mapVulnerability(value, context, site) };
    case 'misconfiguration':
      return mapMisconfiguration(value, context, site);
    case 'secret':
      return { type: 'finding', pointer: site.pointer, value: mapSecret(value, context, site) };
    case 'license':
      return skipLicense(value, site);
    case 'modified':
      return mapModified(value, context, site);
  }
}
