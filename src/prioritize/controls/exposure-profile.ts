import type { Asset } from '../../domain/asset.ts';
import type { FindingKind } from '../../domain/finding.ts';
import type { ExposureContext } from '../../domain/priority.ts';
import type { AttackVector, KnowledgeBase } from './knowledge-base.ts';

/** What the knowledge base needs to know about one exposure, derived once per assessment. */
export type ExposureProfile = {
  kind: FindingKind;
  /** The vulnerability id and its aliases, upper-cased, for matching rules' `cves`. */
  ids: ReadonlySet<string>;
  /** CWE ids in canonical `CWE-<n>` form. */
  cwes: readonly string[];
  /** Weakness classes from the CWEs and from the finding kind. */
  classes: ReadonlySet<string>;
  /** CVSS attack vector (AV metric), null when no vector was given. */
  vector: AttackVector | null;
};

const VECTORS: Readonly<Record<string, AttackVector>> = { N: 'network', A: 'adjacent', L: 'local', P: 'physical' };

/**
 * Classifies an exposure: package and code findings by their CWE ids, misconfigurations and
 * cloud findings as cloud configuration (and identity when the asset is an identity), secrets
 * as secret exposure. CWE classes apply to every kind, so a secret finding tagged CWE-798 is
 * also an authentication bypass.
 */
export function profileExposure(context: ExposureContext, asset: Asset, kb: KnowledgeBase): ExposureProfile {
  const ids = new Set<string>([context.vulnerabilityId.toUpperCase()]);
  for (const alias of context.aliases) ids.add(alias.toUpperCase());
  const cwes: string[] = [];
  const classes = new Set<string>();
  for (const raw of context.cwes) {
    const cwe = normalizeCwe(raw);
    if (cwe === null) continue;
    cwes.push(cwe);
    for (const cls of kb.classesByCwe.get(cwe) ?? []) classes.add(cls);
  }
  for (const cls of kb.exposureKindClasses.get(context.kind) ?? []) classes.add(cls);
  if (asset.kind === 'identity' && (context.kind === 'misconfiguration' || context.kind === 'cloud')) {
    classes.add('identity');
  }
  return { kind: context.kind, ids, cwes, classes, vector: attackVector(context.cvssVector) };
}

/** `CWE-89`, `cwe-89` and `89` all mean CWE-89; anything else (e.g. NVD-CWE-Other) is dropped. */
export function normalizeCwe(raw: string): string | null {
  const match = /^(?:CWE-)?(\d+)$/i.exec(raw.trim());
  return match ? `CWE-${Number(match[1])}` : null;
}

/** The AV metric of a CVSS v2, v3.x or v4.0 vector string. */
export function attackVector(vector: string | null | undefined): AttackVector | null {
  if (!vector) return null;
  for (const part of vector.split('/')) {
    if (part.startsWith('AV:')) return VECTORS[part.slice(3)] ?? null;
  }
  return null;
}
