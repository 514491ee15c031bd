import type { Severity } from '../../domain/common.ts';
import { normalizeSeverity, severityFromScore } from '../common/normalize.ts';
import type { SarifResult, SarifRule } from './schema.ts';

/** `security-severity` as GitHub code scanning defines it: a 0-10 score, sometimes a word (Semgrep). */
export type SecuritySeverity = { score: number | null; severity: Severity | null };

export function securitySeverityOf(result: SarifResult, rule: SarifRule | undefined): SecuritySeverity {
  const raw = result.properties?.['security-severity'] ?? rule?.properties?.['security-severity'];
  const score = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() ? Number(raw) : Number.NaN;
  if (Number.isFinite(score) && score >= 0 && score <= 10) return { score, severity: severityFromScore(score) };
  const word = normalizeSeverity(raw);
  return { score: null, severity: word === 'unknown' ? null : word };
}

/**
 * The result's level, else the rule's default level, else the SARIF default: `warning` for a
 * failing result, `none` for other kinds (SARIF 3.27.10).
 */
export function levelOf(result: SarifResult, rule: SarifRule | undefined): string {
  const fallback = result.kind && result.kind !== 'fail' ? 'none' : 'warning';
  return (result.level ?? rule?.defaultConfiguration?.level ?? fallback).trim().toLowerCase();
}

/**
 * Severity: a `security-severity` (what the tool rates for security) wins over the level, which
 * only says how serious the tool thinks a rule violation is. `note` is a minor issue or an
 * improvement opportunity (SARIF 3.27.10), so it maps to info, as DefectDojo maps it.
 */
export function severityOf(result: SarifResult, rule: SarifRule | undefined): Severity {
  const security = securitySeverityOf(result, rule);
  if (security.severity) return security.severity;
  const level = levelOf(result, rule);
  if (level === 'error') return 'high';
  if (level === 'warning') return 'medium';
  if (level === 'note' || level === 'none') return 'info';
  return normalizeSeverity(level);
}
