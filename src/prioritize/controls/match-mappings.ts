import type { Control } from '../../domain/control.ts';
import { type ExposureProfile, normalizeCwe } from './exposure-profile.ts';
import type { CompiledCapability, CompiledMapping, KnowledgeBase } from './knowledge-base.ts';

/** One knowledge-base mapping that applies to a control for an exposure, with its evidence. */
export type MappingMatch = {
  mapping: CompiledMapping;
  ruleId: string | null;
  /** After the detect-only cap. `none`: the control changes reachability only. */
  coverage: 'full' | 'partial' | 'none';
  /** The specific fact that made the mapping apply, e.g. "rule vp-1 names CVE-2021-44228". */
  evidence: string;
  /** True when a full mapping was lowered to partial because the control only detects. */
  capped: boolean;
};

/** The result of trying every mapping on one control: what applied, and why the rest did not. */
export type MappingOutcome = { matches: MappingMatch[]; misses: string[] };

/**
 * A control that only raises alerts cannot be credited with stopping an exploit: detect mode,
 * and detection rules whatever mode the inventory gives them.
 */
export function effectiveMode(control: Control): 'block' | 'detect' {
  return control.kind === 'detection_rule' ? 'detect' : control.mode;
}

/**
 * Tries every knowledge-base mapping on one eligible control. Misses are recorded only for
 * mappings written for this control kind, so the ignore reason lists the near misses a
 * reviewer would ask about (wrong mode, no rule for the CVE, wrong attack vector) and not
 * the mappings that could never apply.
 */
export function matchMappings(control: Control, profile: ExposureProfile, kb: KnowledgeBase): MappingOutcome {
  const matches: MappingMatch[] = [];
  const misses: string[] = [];
  const mode = effectiveMode(control);
  for (const mapping of kb.mappings) {
    if (!mapping.controlKinds.has(control.kind)) continue;
    const miss = preconditionMiss(mapping, mode, profile);
    if (miss) {
      misses.push(`${mapping.id}: ${miss}`);
      continue;
    }
    const found =
      mapping.match === 'cve'
        ? cveEvidence(control, profile)
        : mapping.match === 'weakness'
          ? weaknessEvidence(control, profile, mapping, kb)
          : capabilityEvidence(control, mapping, kb);
    if ('miss' in found) {
      misses.push(`${mapping.id}: ${found.miss}`);
      continue;
    }
    const capped = mode === 'detect' && mapping.coverage === 'full';
    matches.push({
      mapping,
      ruleId: found.ruleId,
      coverage: capped ? 'partial' : mapping.coverage,
      evidence: found.evidence,
      capped,
    });
  }
  return { matches, misses };
}

type Evidence = { ruleId: string | null; evidence: string } | { miss: string };

function preconditionMiss(mapping: CompiledMapping, mode: 'block' | 'detect', profile: ExposureProfile): string | null {
  if (!mapping.modes.has(mode)) return `needs ${[...mapping.modes].join(' or ')} mode, the control is in ${mode} mode`;
  if (mapping.exposureKinds && !mapping.exposureKinds.has(profile.kind)) {
    return `applies to ${[...mapping.exposureKinds].join(' or ')} findings, this is a ${profile.kind} finding`;
  }
  if (mapping.vectors && (profile.vector === null || !mapping.vectors.has(profile.vector))) {
    return `needs attack vector ${[...mapping.vectors].join(' or ')}, the exposure's is ${profile.vector ?? 'not given (no CVSS vector)'}`;
  }
  if (mapping.match === 'weakness' && !intersects(mapping.classes, profile.classes)) {
    return `counters ${[...mapping.classes].join(' or ')}, the exposure is in ${describeClasses(profile)}`;
  }
  return null;
}

function cveEvidence(control: Control, profile: ExposureProfile): Evidence {
  let disabled: string | null = null;
  for (const rule of control.rules) {
    const cve = rule.cves.find((id) => profile.ids.has(id.toUpperCase()));
    if (cve === undefined) continue;
    if (rule.enabled) return { ruleId: rule.id, evidence: `rule ${rule.id} names ${cve}` };
    disabled ??= `rule ${rule.id} names ${cve} but is disabled`;
  }
  return { miss: disabled ?? `no enabled rule names ${[...profile.ids].join(' or ')}` };
}

function weaknessEvidence(
  control: Control,
  profile: ExposureProfile,
  mapping: CompiledMapping,
  kb: KnowledgeBase,
): Evidence {
  for (const rule of control.rules) {
    if (!rule.enabled) continue;
    for (const raw of rule.cwes) {
      const cwe = normalizeCwe(raw);
      if (cwe !== null && profile.cwes.includes(cwe) && inClasses(cwe, mapping, kb)) {
        return { ruleId: rule.id, evidence: `rule ${rule.id} names ${cwe}` };
      }
    }
  }
  return capabilityEvidence(control, mapping, kb, profile);
}

/**
 * Finds a capability of the mapping on the control, most specific source first: an enabled
 * rule, the control itself, then what its kind implies. With a profile, the capability must
 * also counter the exposure's weakness.
 */
function capabilityEvidence(
  control: Control,
  mapping: CompiledMapping,
  kb: KnowledgeBase,
  profile?: ExposureProfile,
): Evidence {
  for (const rule of control.rules) {
    if (!rule.enabled) continue;
    for (const name of rule.capabilities) {
      const counters = countersText(name, mapping, kb, profile);
      if (counters !== null) return { ruleId: rule.id, evidence: `rule ${rule.id} has capability ${name}${counters}` };
    }
  }
  for (const name of control.capabilities) {
    const counters = countersText(name, mapping, kb, profile);
    if (counters !== null) return { ruleId: null, evidence: `the control has capability ${name}${counters}` };
  }
  for (const name of kb.kindCapabilities.get(control.kind) ?? []) {
    const counters = countersText(name, mapping, kb, profile);
    if (counters !== null) {
      return { ruleId: null, evidence: `as ${article(control.kind)} it has capability ${name}${counters}` };
    }
  }
  const wanted = mapping.capabilities.join(', ');
  return profile
    ? { miss: `no enabled rule or capability among ${wanted} counters ${describeWeakness(profile)}` }
    : { miss: `the control has none of the capabilities ${wanted}` };
}

/**
 * `null` when the capability is not one the mapping accepts or does not counter the exposure;
 * otherwise the words saying what it counters (empty for reachability mappings).
 */
function countersText(
  name: string,
  mapping: CompiledMapping,
  kb: KnowledgeBase,
  profile: ExposureProfile | undefined,
): string | null {
  if (!mapping.capabilities.includes(name)) return null;
  if (!profile) return '';
  const capability = kb.capabilities.get(name);
  if (!capability) return null;
  return counteredWeakness(capability, mapping, profile, kb);
}

function counteredWeakness(
  capability: CompiledCapability,
  mapping: CompiledMapping,
  profile: ExposureProfile,
  kb: KnowledgeBase,
): string | null {
  if (capability.cwes) {
    const cwe = profile.cwes.find((id) => capability.cwes?.has(id) && inClasses(id, mapping, kb));
    if (cwe !== undefined) return `, which counters ${cwe}`;
  }
  if (capability.classes) {
    for (const cls of capability.classes) {
      if (profile.classes.has(cls) && mapping.classes.has(cls)) return `, which counters class ${cls}`;
    }
  }
  if (!capability.cwes && !capability.classes) {
    const cls = [...profile.classes].find((name) => mapping.classes.has(name));
    return cls === undefined ? null : `, which applies to class ${cls}`;
  }
  return null;
}

function inClasses(cwe: string, mapping: CompiledMapping, kb: KnowledgeBase): boolean {
  for (const cls of kb.classesByCwe.get(cwe) ?? []) if (mapping.classes.has(cls)) return true;
  return false;
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const item of a) if (b.has(item)) return true;
  return false;
}

function describeClasses(profile: ExposureProfile): string {
  return profile.classes.size > 0 ? `class ${[...profile.classes].join(', ')}` : 'no known weakness class';
}

/** Words for the exposure's weakness: its CWE ids and classes. */
export function describeWeakness(profile: ExposureProfile): string {
  const cwes = profile.cwes.length > 0 ? profile.cwes.join(', ') : 'no CWE';
  return `${cwes} (${describeClasses(profile)})`;
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}
