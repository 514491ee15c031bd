import { normalizeSeverity, unique } from '../common/normalize.ts';
import { type RecordSite, readRecord } from '../common/read-record.ts';
import type { ParsedRecord } from '../format.ts';
import type { RecordContext } from './context.ts';
import { TrivyMisconfigurationSchema } from './schema.ts';

/**
 * Maps `Results[].Misconfigurations[]`. `FAIL` is an open finding and `EXCEPTION` a suppressed
 * one (a policy exception covers it); `PASS` (only present with --include-non-failures) is not
 * a finding and becomes a warning. The resolution is kept at the end of the description, as
 * the Finding has no remediation field.
 */
export function mapMisconfiguration(value: unknown, context: RecordContext, site: RecordSite): ParsedRecord {
  const record = readRecord(TrivyMisconfigurationSchema, value, site);
  const ruleId = (record.ID || record.AVDID)!;
  if (record.Status === 'PASS') {
    return { type: 'warning', pointer: site.pointer, message: `skipped passed check ${ruleId}: not a finding` };
  }
  const startLine = record.CauseMetadata?.StartLine;
  const description = [record.Description, record.Message, record.Resolution && `Resolution: ${record.Resolution}`]
    .filter(Boolean)
    .join('\n\n');
  return {
    type: 'finding',
    pointer: site.pointer,
    value: {
      sourceTool: 'trivy',
      sourceVersion: context.artifact.toolVersion ?? null,
      format: site.format,
      kind: 'misconfiguration',
      ruleId,
      aliases: unique([record.AVDID]).filter((id) => id !== ruleId),
      packageName: null,
      ecosystem: null,
      packageVersion: null,
      fixedVersions: [],
      purl: null,
      resource: context.resource ?? (record.CauseMetadata?.Resource || null),
      // A Kubernetes result's target is the object ("Deployment/web"), not a file.
      location: context.resource ? null : context.result.target || null,
      line: startLine && startLine > 0 ? startLine : null,
      severity: normalizeSeverity(record.Severity),
      cvssScore: null,
      cvssVector: null,
      cwes: [],
      title: record.Title || ruleId,
      description: description || null,
      assetHint: context.configHints,
      suppression:
        record.Status === 'EXCEPTION'
          ? { state: 'exception', justification: null, detail: 'Trivy reports a policy exception for this check' }
          : null,
      epss: null,
      raw: value,
    },
  };
}
