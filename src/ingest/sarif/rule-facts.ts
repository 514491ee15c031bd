import { unique } from '../common/normalize.ts';
import type { SarifResult, SarifRule } from './schema.ts';

const CWE_IN_TEXT = /\bcwe[-_/: ]*(\d+)/gi;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** `external/cwe/cwe-079`, `CWE-89: Improper ...`, `CWE-120` -> `CWE-79`, `CWE-89`, `CWE-120`. */
function cwesIn(values: string[]): string[] {
  return values.flatMap((value) => [...value.matchAll(CWE_IN_TEXT)].map((match) => `CWE-${Number(match[1])}`));
}

/** The rule's `properties.tags` (CodeQL, Semgrep, Trivy put kinds, CWEs and severities there). */
export function ruleTags(rule: SarifRule | undefined): string[] {
  return strings(rule?.properties?.tags);
}

/**
 * CWEs from the places producers put them: rule relationships to the CWE taxonomy (Flawfinder),
 * result taxa, rule tags (CodeQL `external/cwe/cwe-079`, Semgrep `CWE-89: ...`) and `cwe`
 * properties of the rule or result (njsscan). Order is kept: the first is the primary one.
 */
export function cwesOf(result: SarifResult, rule: SarifRule | undefined): string[] {
  const related = (rule?.relationships ?? [])
    .map((relationship) => relationship.target)
    .filter((target) => target.toolComponent?.name?.toUpperCase() === 'CWE' || /^CWE-/i.test(target.id ?? ''))
    .map((target) => target.id ?? '');
  const taxa = (result.taxa ?? [])
    .filter((taxon) => taxon.toolComponent?.name?.toUpperCase() === 'CWE' || /^CWE-/i.test(taxon.id ?? ''))
    .map((taxon) => taxon.id ?? '');
  return unique(
    cwesIn([
      ...related,
      ...taxa,
      ...ruleTags(rule),
      ...strings(rule?.properties?.cwe),
      ...strings(result.properties?.cwe),
    ]),
  );
}

/** A CVSS vector string from the result's or rule's property bag, v3 before v4. */
export function cvssVectorOf(result: SarifResult, rule: SarifRule | undefined): string | null {
  const values = [...Object.values(result.properties ?? {}), ...Object.values(rule?.properties ?? {})].flatMap(strings);
  return (
    values.find((value) => /^CVSS:3\.[01]\//.test(value)) ?? values.find((value) => /^CVSS:4\.0\//.test(value)) ?? null
  );
}
