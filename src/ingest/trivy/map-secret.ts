import { normalizeSeverity } from '../common/normalize.ts';
import { type RecordSite, readRecord } from '../common/read-record.ts';
import type { FindingInput, RecordContext } from './context.ts';
import { TrivySecretSchema } from './schema.ts';

const REDACTED = '[redacted]';

type CodeLine = Record<string, unknown>;

/**
 * The secret record without the secret: `Match` and every `Code.Lines[].Content`/`Highlighted`
 * are replaced (Trivy masks the match by default, but a report made with masking off must not
 * put a credential into our database). Rule, category, lines and layer stay.
 */
export function redactSecret(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = { ...(value as Record<string, unknown>) };
  if ('Match' in record) record.Match = REDACTED;
  const code = record.Code as { Lines?: unknown } | null | undefined;
  if (code && typeof code === 'object' && Array.isArray(code.Lines)) {
    record.Code = {
      ...code,
      Lines: code.Lines.map((line: unknown) => {
        if (typeof line !== 'object' || line === null) return line;
        const redacted: CodeLine = { ...(line as CodeLine) };
        if ('Content' in redacted) redacted.Content = REDACTED;
        if ('Highlighted' in redacted) redacted.Highlighted = REDACTED;
        return redacted;
      }),
    };
  }
  return record;
}

/** Maps `Results[].Secrets[]`: rule, file and line; never the matched text. */
export function mapSecret(value: unknown, context: RecordContext, site: RecordSite): FindingInput {
  const record = readRecord(TrivySecretSchema, value, site);
  const location = context.result.target || null;
  const line = record.StartLine && record.StartLine > 0 ? record.StartLine : null;
  const where = [location, line].filter(Boolean).join(':');
  return {
    sourceTool: 'trivy',
    sourceVersion: context.artifact.toolVersion ?? null,
    format: site.format,
    kind: 'secret',
    ruleId: record.RuleID,
    aliases: [],
    packageName: null,
    ecosystem: null,
    packageVersion: null,
    fixedVersions: [],
    purl: null,
    resource: context.resource,
    location,
    line,
    severity: normalizeSeverity(record.Severity),
    cvssScore: null,
    cvssVector: null,
    cwes: [],
    title: record.Title || record.RuleID,
    description: `${record.Category ? `${record.Category} secret` : 'Secret'} found by rule "${record.RuleID}"${where ? ` in ${where}` : ''}; the matched text is not kept.`,
    assetHint: context.hints,
    suppression: null,
    epss: null,
    raw: redactSecret(value),
  };
}
