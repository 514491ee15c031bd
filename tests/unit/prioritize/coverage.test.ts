import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Asset, AssetSchema } from '../../../src/domain/asset.ts';
import { type Control, ControlSchema } from '../../../src/domain/control.ts';
import { ConfigError } from '../../../src/domain/errors.ts';
import {
  type CoverageAssessment,
  CoverageAssessmentSchema,
  type ExposureContext,
  ExposureContextSchema,
} from '../../../src/domain/priority.ts';
import { assessCoverage } from '../../../src/prioritize/controls/assess-coverage.ts';
import { attackVector, normalizeCwe } from '../../../src/prioritize/controls/exposure-profile.ts';
import { defaultKnowledgeBase, parseKnowledgeBase } from '../../../src/prioritize/controls/knowledge-base.ts';

const NOW = new Date('2025-06-01T00:00:00Z');
const FRESH = '2025-05-25T00:00:00Z';
const NETWORK = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const LOCAL = 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H';

function asset(overrides: Record<string, unknown> = {}): Asset {
  return AssetSchema.parse({
    id: 'shop-web',
    name: 'Shop web front end',
    kind: 'host',
    environment: 'production',
    internetExposure: 'internet',
    criticality: 'crown_jewel',
    network: 'dmz',
    tags: ['web', 'pci'],
    ...overrides,
  });
}

function exposure(overrides: Record<string, unknown> = {}): ExposureContext {
  return ExposureContextSchema.parse({
    exposureId: 'exp-1',
    kind: 'package',
    vulnerabilityId: 'CVE-2021-44228',
    aliases: ['GHSA-jfh8-c2jp-5v3q'],
    component: 'log4j-core',
    severity: 'critical',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
    cvssScore: 10,
    cwes: ['CWE-917', 'CWE-502'],
    kev: { dateAdded: '2021-12-10', ransomware: true },
    publicExploit: true,
    openedAt: '2025-05-01T00:00:00Z',
    ...overrides,
  });
}

function control(overrides: Record<string, unknown> = {}): Control {
  return ControlSchema.parse({
    id: 'waf-edge',
    name: 'Edge WAF',
    kind: 'waf',
    mode: 'block',
    scope: { tags: ['web'] },
    lastVerifiedAt: FRESH,
    ...overrides,
  });
}

function assess(controls: Control[], context = exposure(), target = asset(), freshnessDays = 30): CoverageAssessment {
  const result = assessCoverage({ context, asset: target, controls, now: NOW, freshnessDays });
  // Every result must be a valid CoverageAssessment (what the graph and the database store).
  CoverageAssessmentSchema.parse(result);
  return result;
}

const cveRule = { id: 'vp-log4shell', cves: ['CVE-2021-44228'] };

describe('knowledge base', () => {
  it('loads the shipped file with its mappings and capability vocabulary', () => {
    const kb = defaultKnowledgeBase();
    expect(kb.version).toBe(1);
    expect([...kb.mappingsById.keys()]).toEqual([
      'virtual-patch-cve',
      'config-mitigation-cve',
      'waf-injection-rce',
      'waf-xss',
      'network-internet-block',
      'edr-code-execution',
      'iam-privilege-escalation',
      'auth-enforcement',
      'egress-data-exfiltration',
      'guardrail-cloud-configuration',
    ]);
    for (const name of [
      'injection',
      'rce',
      'deserialization',
      'virtual_patch',
      'network_isolation',
      'internet_block',
    ]) {
      expect(kb.capabilities.has(name), name).toBe(true);
    }
    for (const cwe of ['CWE-77', 'CWE-78', 'CWE-89', 'CWE-94', 'CWE-917', 'CWE-502', 'CWE-1321', 'CWE-611']) {
      expect(kb.classesByCwe.get(cwe), cwe).toContain('injection_rce');
    }
  });

  it('is documented: docs/controls.md names every mapping and capability', () => {
    const docs = readFileSync(new URL('../../../docs/controls.md', import.meta.url), 'utf8');
    const kb = defaultKnowledgeBase();
    for (const id of kb.mappingsById.keys()) expect(docs, id).toContain(`\`${id}\``);
    for (const name of kb.capabilities.keys()) expect(docs, name).toContain(`\`${name}\``);
  });

  it('rejects a mapping that names an undefined capability, naming the file and field', () => {
    const text = readFileSync(new URL('../../../src/prioritize/controls/knowledge-base.yaml', import.meta.url), 'utf8');
    const broken = text.replace('capabilities: [xss]', 'capabilities: [xss_filter]');
    expect(() => parseKnowledgeBase(broken, 'kb.yaml')).toThrow(ConfigError);
    expect(() => parseKnowledgeBase(broken, 'kb.yaml')).toThrow(
      'kb.yaml: mappings.3 (waf-xss).capabilities: unknown capability xss_filter',
    );
  });

  it('rejects a schema violation with the field path', () => {
    expect(() => parseKnowledgeBase('version: one', 'kb.yaml')).toThrow(/^kb\.yaml: version: /);
    expect(() => parseKnowledgeBase('a: [', 'kb.yaml')).toThrow('kb.yaml: not valid YAML');
  });

  it('normalizes CWE ids and reads the CVSS attack vector of v2, v3 and v4 vectors', () => {
    expect(normalizeCwe('89')).toBe('CWE-89');
    expect(normalizeCwe('cwe-0089')).toBe('CWE-89');
    expect(normalizeCwe('NVD-CWE-Other')).toBeNull();
    expect(attackVector('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBe('network');
    expect(attackVector('CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe('adjacent');
    expect(attackVector('CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe('physical');
    expect(attackVector(LOCAL)).toBe('local');
    expect(attackVector(null)).toBeNull();
  });
});

describe('anchor case: KEV-listed RCE on an internet-facing asset behind a WAF', () => {
  it('a blocking, in-scope WAF whose rule names the CVE covers it fully', () => {
    const result = assess([control({ capabilities: ['injection', 'rce'], rules: [cveRule] })]);
    expect(result.coverage).toBe('full');
    expect(result.reachable).toBe('open');
    expect(result.ignored).toEqual([]);
    expect(result.contributions).toEqual([
      {
        controlId: 'waf-edge',
        controlKind: 'waf',
        mode: 'block',
        ruleId: 'vp-log4shell',
        coverage: 'full',
        reachability: 'unchanged',
        mapping: 'virtual-patch-cve',
        reason:
          'Rule vp-log4shell names CVE-2021-44228 (mapping virtual-patch-cve). The rule is written for this exact ' +
          'vulnerability, so exploitation attempts are stopped before they reach the vulnerable code; the flaw ' +
          'itself remains until it is fixed.',
        inScopeBecause: 'asset tag web matches scope.tags',
        verifiedAt: new Date(FRESH),
      },
    ]);
    expect(result.effect).toBe(
      'Blocked at the edge by waf-edge rule vp-log4shell (virtual patch for CVE-2021-44228); ' +
        'the flaw remains in log4j-core until the package is upgraded.',
    );
  });

  it('the same WAF with only its injection/RCE rule set covers it partially', () => {
    const result = assess([control({ capabilities: ['injection', 'rce'] })]);
    expect(result.coverage).toBe('partial');
    expect(result.contributions).toHaveLength(1);
    expect(result.contributions[0]).toMatchObject({
      mapping: 'waf-injection-rce',
      coverage: 'partial',
      ruleId: null,
      reason: expect.stringMatching(/^The control has capability injection, which counters CWE-917 \(mapping waf-/),
    });
    expect(result.effect).toBe(
      'Partly mitigated by waf-edge (injection/RCE rule set), which stops common attacks but not all; ' +
        'the flaw remains exploitable in log4j-core by attacks that evade it until the package is upgraded.',
    );
  });

  it('the same WAF in detect mode is partial at most, even with the CVE rule', () => {
    const withRule = assess([control({ mode: 'detect', capabilities: ['injection', 'rce'], rules: [cveRule] })]);
    expect(withRule.coverage).toBe('partial');
    expect(withRule.contributions[0]).toMatchObject({
      mode: 'detect',
      coverage: 'partial',
      mapping: 'virtual-patch-cve',
    });
    expect(withRule.contributions[0]?.reason).toContain('so the credit is capped at partial');

    const ruleSetOnly = assess([control({ mode: 'detect', capabilities: ['injection', 'rce'] })]);
    expect(ruleSetOnly.coverage).toBe('none');
    expect(ruleSetOnly.ignored[0]?.reason).toContain(
      'waf-injection-rce: needs block mode, the control is in detect mode',
    );
  });

  it('the same WAF out of scope counts for nothing and says why', () => {
    const result = assess([control({ scope: { tags: ['intranet'] }, capabilities: ['injection'], rules: [cveRule] })]);
    expect(result.coverage).toBe('none');
    expect(result.reachable).toBe('open');
    expect(result.contributions).toEqual([]);
    expect(result.ignored).toEqual([
      {
        controlId: 'waf-edge',
        reason:
          "out of scope: asset shop-web (tags web, pci; environment production; network dmz) matches none of the control's scope selectors",
      },
    ]);
    expect(result.effect).toBe(
      'No enabled, in-scope and recently verified control covers this exposure; ' +
        'it is as exploitable as the flaw in log4j-core itself until the package is upgraded.',
    );
  });
});

describe('mapping virtual-patch-cve', () => {
  it('gives full coverage for a rule naming the vulnerability id, on any control kind', () => {
    for (const kind of ['waf', 'firewall', 'runtime_protection', 'iam_boundary'] as const) {
      const result = assess([control({ kind, rules: [cveRule] })]);
      expect(result.coverage, kind).toBe('full');
      expect(result.contributions[0]?.mapping, kind).toBe('virtual-patch-cve');
    }
  });

  it('matches an alias of the vulnerability, case-insensitively', () => {
    const result = assess([control({ rules: [{ id: 'vp-ghsa', cves: ['ghsa-jfh8-c2jp-5v3q'] }] })]);
    expect(result.coverage).toBe('full');
    expect(result.contributions[0]?.reason).toMatch(/^Rule vp-ghsa names ghsa-jfh8-c2jp-5v3q/);
  });

  it('does not apply to a rule for another CVE, or to a disabled rule for this one', () => {
    const other = assess([control({ rules: [{ id: 'vp-other', cves: ['CVE-2022-22965'] }] })]);
    expect(other.coverage).toBe('none');
    expect(other.ignored[0]?.reason).toContain(
      'virtual-patch-cve: no enabled rule names CVE-2021-44228 or GHSA-JFH8-C2JP-5V3Q',
    );

    const disabled = assess([control({ rules: [{ ...cveRule, enabled: false }] })]);
    expect(disabled.coverage).toBe('none');
    expect(disabled.ignored[0]?.reason).toContain('rule vp-log4shell names CVE-2021-44228 but is disabled');
  });

  it('is capped at partial for a detection rule, whatever mode the inventory gives it', () => {
    const result = assess([control({ kind: 'detection_rule', mode: 'block', rules: [cveRule] })]);
    expect(result.coverage).toBe('partial');
    expect(result.contributions[0]).toMatchObject({
      mode: 'detect',
      coverage: 'partial',
      mapping: 'virtual-patch-cve',
    });
  });
});

describe('mapping config-mitigation-cve', () => {
  const mitigation = { id: 'cfg-log4j', kind: 'config_mitigation', scope: { assetIds: ['shop-web'] } };

  it('gives full coverage for a fresh configuration mitigation naming the CVE', () => {
    const result = assess([
      control({ ...mitigation, rules: [{ id: 'nolookups', cves: ['CVE-2021-44228'] }], lastVerifiedAt: '2025-05-30' }),
    ]);
    expect(result.coverage).toBe('full');
    expect(result.contributions[0]).toMatchObject({
      mapping: 'config-mitigation-cve',
      ruleId: 'nolookups',
      inScopeBecause: 'asset id shop-web is listed in scope.assetIds',
    });
    expect(result.effect).toBe(
      'Blocked by cfg-log4j rule nolookups (configuration mitigation for CVE-2021-44228); ' +
        'the flaw remains in log4j-core until the package is upgraded.',
    );
  });

  it('does not apply when the mitigation names another CVE or was not verified in the window', () => {
    const other = assess([control({ ...mitigation, rules: [{ id: 'x', cves: ['CVE-2017-5638'] }] })]);
    expect(other.coverage).toBe('none');
    expect(other.ignored[0]?.reason).toMatch(/^no mapping for this weakness: .*config-mitigation-cve: no enabled rule/);

    const stale = assess([
      control({ ...mitigation, rules: [{ id: 'x', cves: ['CVE-2021-44228'] }], lastVerifiedAt: '2025-03-01' }),
    ]);
    expect(stale.coverage).toBe('none');
    expect(stale.ignored[0]?.reason).toMatch(/^stale since 2025-03-31/);
  });
});

describe('mapping waf-injection-rce', () => {
  const sqli = exposure({ vulnerabilityId: 'CVE-2024-0001', aliases: [], cwes: ['CWE-89'], cvssVector: NETWORK });

  it('gives partial coverage against injection over the network', () => {
    const result = assess([control({ capabilities: ['injection'] })], sqli);
    expect(result.coverage).toBe('partial');
    expect(result.contributions[0]).toMatchObject({ mapping: 'waf-injection-rce', ruleId: null });
  });

  it('accepts a rule that names the CWE or carries the capability, citing the rule', () => {
    const byCwe = assess([control({ rules: [{ id: 'crs-942', cwes: ['89'] }] })], sqli);
    expect(byCwe.contributions[0]).toMatchObject({
      mapping: 'waf-injection-rce',
      ruleId: 'crs-942',
      coverage: 'partial',
    });
    expect(byCwe.contributions[0]?.reason).toMatch(/^Rule crs-942 names CWE-89/);
    const byCapability = assess([control({ rules: [{ id: 'sqli-set', capabilities: ['injection'] }] })], sqli);
    expect(byCapability.contributions[0]).toMatchObject({ ruleId: 'sqli-set' });
  });

  it('does not apply to a local attack vector, to an exposure without a vector, or in detect mode', () => {
    const local = assess([control({ capabilities: ['injection'] })], { ...sqli, cvssVector: LOCAL });
    expect(local.coverage).toBe('none');
    expect(local.ignored[0]?.reason).toContain(
      "waf-injection-rce: needs attack vector network, the exposure's is local",
    );
    const noVector = assess([control({ capabilities: ['injection'] })], { ...sqli, cvssVector: null });
    expect(noVector.ignored[0]?.reason).toContain("the exposure's is not given (no CVSS vector)");
    const detect = assess([control({ mode: 'detect', capabilities: ['injection'] })], sqli);
    expect(detect.coverage).toBe('none');
  });

  it('does not credit a rule set for another weakness (an SSRF rule set against SQL injection)', () => {
    const result = assess([control({ capabilities: ['ssrf', 'xss'] })], sqli);
    expect(result.coverage).toBe('none');
    expect(result.ignored[0]?.reason).toContain(
      'waf-injection-rce: no enabled rule or capability among injection, rce, deserialization, path_traversal, ssrf, xxe, prototype_pollution counters CWE-89 (class injection_rce)',
    );
  });

  it('does not apply to a weakness outside injection/RCE', () => {
    const result = assess([control({ capabilities: ['injection'] })], { ...sqli, cwes: ['CWE-200'] });
    expect(result.coverage).toBe('none');
    expect(result.ignored[0]?.reason).toContain(
      'waf-injection-rce: counters injection_rce, the exposure is in class data_exposure',
    );
  });
});

describe('mapping waf-xss', () => {
  const xss = exposure({ vulnerabilityId: 'CVE-2024-0002', aliases: [], cwes: ['CWE-79'], cvssVector: NETWORK });

  it('gives partial coverage against XSS with an XSS rule set', () => {
    const result = assess([control({ capabilities: ['xss'] })], xss);
    expect(result.coverage).toBe('partial');
    expect(result.contributions[0]?.mapping).toBe('waf-xss');
  });

  it('does not apply with only an injection rule set', () => {
    expect(assess([control({ capabilities: ['injection', 'rce'] })], xss).coverage).toBe('none');
  });
});

describe('mapping network-internet-block', () => {
  const firewall = { id: 'fw-dmz', kind: 'firewall', scope: { networks: ['dmz'] }, capabilities: ['internet_block'] };

  it('makes reachability controlled without adding coverage', () => {
    const result = assess([control(firewall)]);
    expect(result.coverage).toBe('none');
    expect(result.reachable).toBe('controlled');
    expect(result.contributions).toEqual([
      expect.objectContaining({
        controlId: 'fw-dmz',
        mapping: 'network-internet-block',
        coverage: 'none',
        reachability: 'controlled',
        inScopeBecause: 'asset network dmz matches scope.networks',
      }),
    ]);
    expect(result.contributions[0]?.reason).toContain('the flaw is not countered, so this control adds no coverage');
    expect(result.effect).toBe(
      'Not reachable from the internet: fw-dmz (no inbound path from the internet) keeps inbound internet traffic away, ' +
        'so only an attacker already inside the network can reach it; nothing counters the flaw itself, which remains ' +
        'exploitable in log4j-core from inside the network until the package is upgraded.',
    );
  });

  it('also applies to segmentation with network isolation, and leaves coverage to other controls', () => {
    const result = assess([
      control({
        id: 'seg-1',
        kind: 'segmentation',
        scope: { environments: ['production'] },
        capabilities: ['network_isolation'],
      }),
      control({ rules: [cveRule] }),
    ]);
    expect(result.coverage).toBe('full');
    expect(result.reachable).toBe('controlled');
    expect(result.effect).toBe(
      'Blocked at the edge by waf-edge rule vp-log4shell (virtual patch for CVE-2021-44228); seg-1 (no inbound path from ' +
        'the internet) keeps inbound internet traffic away, so only an attacker already inside the network can reach it; ' +
        'the flaw remains in log4j-core until the package is upgraded.',
    );
  });

  it('does not apply without the capability, in detect mode, or to a leaked secret', () => {
    expect(assess([control({ ...firewall, capabilities: [] })]).reachable).toBe('open');
    expect(assess([control({ ...firewall, mode: 'detect' })]).reachable).toBe('open');
    const secret = exposure({
      kind: 'secret',
      vulnerabilityId: 'aws-access-key',
      aliases: [],
      cwes: [],
      cvssVector: null,
    });
    const result = assess([control(firewall)], secret);
    expect(result.reachable).toBe('open');
    expect(result.ignored[0]?.reason).toContain(
      'network-internet-block: applies to package or code findings, this is a secret finding',
    );
  });
});

describe('mapping edr-code-execution', () => {
  const edr = { id: 'edr-1', kind: 'edr', scope: { tags: ['pci'] } };
  const cmdi = exposure({ vulnerabilityId: 'CVE-2024-0003', aliases: [], cwes: ['CWE-78'], cvssVector: NETWORK });

  it('gives partial coverage against code execution on a covered host, in prevention mode', () => {
    const result = assess([control(edr)], cmdi);
    expect(result.coverage).toBe('partial');
    expect(result.contributions[0]).toMatchObject({ mapping: 'edr-code-execution', controlKind: 'edr' });
    expect(result.contributions[0]?.reason).toMatch(
      /^As an edr it has capability code_execution_prevention, which counters class code_execution/,
    );
  });

  it('covers memory corruption through exploit prevention, and runtime protection only code execution', () => {
    const uaf = exposure({ vulnerabilityId: 'CVE-2024-0004', aliases: [], cwes: ['CWE-416'], cvssVector: LOCAL });
    expect(assess([control(edr)], uaf).coverage).toBe('partial');
    expect(assess([control({ ...edr, kind: 'runtime_protection' })], cmdi).coverage).toBe('partial');
    expect(assess([control({ ...edr, kind: 'runtime_protection' })], uaf).coverage).toBe('none');
  });

  it('does nothing against data exposure, nor in detect mode', () => {
    const leak = exposure({ vulnerabilityId: 'CVE-2024-0005', aliases: [], cwes: ['CWE-200'], cvssVector: NETWORK });
    const result = assess([control(edr)], leak);
    expect(result.coverage).toBe('none');
    expect(result.ignored[0]?.reason).toContain('edr-code-execution: counters code_execution or memory_corruption');
    expect(assess([control({ ...edr, mode: 'detect' })], cmdi).coverage).toBe('none');
  });
});

describe('mapping iam-privilege-escalation', () => {
  const boundary = { id: 'iam-pb', kind: 'iam_boundary', scope: { environments: ['production'] } };
  const privesc = exposure({ vulnerabilityId: 'CVE-2024-0006', aliases: [], cwes: ['CWE-269'], cvssVector: LOCAL });

  it('gives partial coverage against privilege escalation, full when a rule names the CVE', () => {
    const partial = assess([control(boundary)], privesc);
    expect(partial.coverage).toBe('partial');
    expect(partial.contributions[0]?.mapping).toBe('iam-privilege-escalation');
    const full = assess([control({ ...boundary, rules: [{ id: 'deny-x', cves: ['CVE-2024-0006'] }] })], privesc);
    expect(full.coverage).toBe('full');
    expect(full.contributions[0]?.mapping).toBe('virtual-patch-cve');
  });

  it('covers a misconfigured identity partially', () => {
    const role = asset({ id: 'role-admin', kind: 'identity', tags: [], network: null });
    const misconfig = exposure({
      kind: 'misconfiguration',
      vulnerabilityId: 'iam_role_admin_star',
      aliases: [],
      cwes: [],
    });
    const result = assess([control(boundary)], misconfig, role);
    expect(result.coverage).toBe('partial');
    expect(result.contributions[0]?.reason).toContain('which counters class identity');
  });

  it('does not apply to injection', () => {
    const sqli = exposure({ vulnerabilityId: 'CVE-2024-0001', aliases: [], cwes: ['CWE-89'], cvssVector: NETWORK });
    expect(assess([control(boundary)], sqli).coverage).toBe('none');
  });
});

describe('mapping auth-enforcement', () => {
  const missingAuth = exposure({
    vulnerabilityId: 'CVE-2024-0007',
    aliases: [],
    cwes: ['CWE-306'],
    cvssVector: NETWORK,
  });

  it('gives partial coverage when requests must authenticate before reaching the application', () => {
    const result = assess([control({ capabilities: ['auth_enforcement'] })], missingAuth);
    expect(result.coverage).toBe('partial');
    expect(result.contributions[0]?.mapping).toBe('auth-enforcement');
  });

  it('does not apply without the capability', () => {
    expect(assess([control({ capabilities: ['injection'] })], missingAuth).coverage).toBe('none');
  });
});

describe('mapping egress-data-exfiltration', () => {
  const leak = exposure({ vulnerabilityId: 'CVE-2024-0005', aliases: [], cwes: ['CWE-200'], cvssVector: NETWORK });

  it('gives partial coverage against data exposure with egress filtering', () => {
    const result = assess([control({ id: 'egress', kind: 'firewall', capabilities: ['data_exfiltration'] })], leak);
    expect(result.coverage).toBe('partial');
    expect(result.contributions[0]?.mapping).toBe('egress-data-exfiltration');
  });

  it('does not apply to a firewall without the capability', () => {
    const result = assess([control({ id: 'egress', kind: 'firewall', capabilities: ['internet_block'] })], leak);
    expect(result.coverage).toBe('none');
  });
});

describe('mapping guardrail-cloud-configuration', () => {
  const guardrail = { id: 'org-guardrail', kind: 'config_mitigation', scope: { environments: ['production'] } };
  const bucket = exposure({
    kind: 'cloud',
    vulnerabilityId: 's3_bucket_public_access',
    aliases: [],
    cwes: [],
    cvssVector: null,
  });

  it('gives partial coverage against a cloud misconfiguration', () => {
    const result = assess([control({ ...guardrail, capabilities: ['config_guardrail'] })], bucket);
    expect(result.coverage).toBe('partial');
    expect(result.contributions[0]?.mapping).toBe('guardrail-cloud-configuration');
  });

  it('gives full coverage when a mitigation rule names the check, and nothing against a package flaw', () => {
    const named = assess(
      [control({ ...guardrail, rules: [{ id: 'bpa', cves: ['s3_bucket_public_access'] }] })],
      bucket,
    );
    expect(named.contributions[0]).toMatchObject({ mapping: 'config-mitigation-cve', coverage: 'full' });
    expect(assess([control({ ...guardrail, capabilities: ['config_guardrail'] })]).coverage).toBe('none');
  });
});

describe('counting rules', () => {
  it('ignores a disabled control', () => {
    const result = assess([control({ enabled: false, rules: [cveRule] })]);
    expect(result.ignored).toEqual([
      { controlId: 'waf-edge', reason: 'disabled: the control is switched off in the inventory' },
    ]);
  });

  it('ignores a control with an empty scope', () => {
    const result = assess([control({ scope: {}, rules: [cveRule] })]);
    expect(result.ignored[0]?.reason).toBe('out of scope: the control has an empty scope, which covers no asset');
  });

  it('names every scope selector that matches', () => {
    const result = assess([
      control({
        scope: { assetIds: ['shop-web'], tags: ['pci'], environments: ['production'], networks: ['dmz'] },
        rules: [cveRule],
      }),
    ]);
    expect(result.contributions[0]?.inScopeBecause).toBe(
      'asset id shop-web is listed in scope.assetIds; asset tag pci matches scope.tags; ' +
        'asset environment production matches scope.environments; asset network dmz matches scope.networks',
    );
  });

  it('ignores a never-verified control', () => {
    const result = assess([control({ lastVerifiedAt: null, rules: [cveRule] })]);
    expect(result.ignored[0]?.reason).toBe('never verified: no verification is recorded, so it is not known to work');
  });

  it('ignores a stale control from the day after the window ends, and counts it up to that moment', () => {
    const at = (lastVerifiedAt: string) => assess([control({ lastVerifiedAt, rules: [cveRule] })]);
    expect(at('2025-05-02T00:00:00Z').coverage).toBe('full'); // exactly 30 days before NOW
    const stale = at('2025-05-01T23:59:59Z');
    expect(stale.coverage).toBe('none');
    expect(stale.ignored[0]?.reason).toBe(
      'stale since 2025-05-31: last verified 2025-05-01, outside the 30-day freshness window',
    );
    expect(at('2025-06-02T00:00:00Z').coverage).toBe('full'); // clock skew: verified "in the future"
  });

  it('ignores an in-scope, fresh control that has no mapping for this weakness', () => {
    const result = assess([control({ capabilities: ['xss'] })]);
    expect(result.ignored).toEqual([
      {
        controlId: 'waf-edge',
        reason:
          'no mapping for this weakness: nothing in the knowledge base lets a waf in block mode counter ' +
          'CWE-917, CWE-502 (class injection_rce, code_execution) (virtual-patch-cve: no enabled rule names ' +
          'CVE-2021-44228 or GHSA-JFH8-C2JP-5V3Q; waf-injection-rce: no enabled rule or capability among injection, ' +
          'rce, deserialization, path_traversal, ssrf, xxe, prototype_pollution counters CWE-917, CWE-502 (class ' +
          'injection_rce, code_execution); waf-xss: counters cross_site_scripting, the exposure is in class ' +
          'injection_rce, code_execution; auth-enforcement: counters auth_bypass, the exposure is in class ' +
          'injection_rce, code_execution; egress-data-exfiltration: counters data_exposure, the exposure is in class ' +
          'injection_rce, code_execution)',
      },
    ]);
  });
});

describe('combination', () => {
  const cmdi = exposure({ vulnerabilityId: 'CVE-2024-0003', aliases: [], cwes: ['CWE-78'], cvssVector: NETWORK });

  it('is full when any control is full, whatever the others give', () => {
    const result = assess(
      [
        control({ id: 'edr-1', kind: 'edr' }),
        control({ id: 'waf-vp', rules: [{ id: 'vp', cves: ['CVE-2024-0003'] }] }),
      ],
      cmdi,
    );
    expect(result.coverage).toBe('full');
    expect(result.contributions.map((c) => [c.controlId, c.coverage])).toEqual([
      ['edr-1', 'partial'],
      ['waf-vp', 'full'],
    ]);
  });

  it('is partial when every counted control is partial', () => {
    const result = assess([control({ id: 'edr-1', kind: 'edr' }), control({ capabilities: ['injection'] })], cmdi);
    expect(result.coverage).toBe('partial');
    expect(result.effect).toBe(
      'Partly mitigated by edr-1 (code-execution prevention) and waf-edge (injection/RCE rule set), which stop common ' +
        'attacks but not all; the flaw remains exploitable in log4j-core by attacks that evade them until the package ' +
        'is upgraded.',
    );
  });

  it('is none with no controls, and reachability stays open whatever the asset exposure', () => {
    const result = assess([], cmdi, asset({ internetExposure: 'isolated' }));
    expect(result).toMatchObject({ coverage: 'none', reachable: 'open', contributions: [], ignored: [] });
  });

  it('keeps one contribution per control, the strongest, and notes reachability from the same control', () => {
    const result = assess([
      control({
        id: 'fw-vp',
        kind: 'firewall',
        scope: { networks: ['dmz'] },
        capabilities: ['internet_block'],
        rules: [cveRule],
      }),
    ]);
    expect(result.contributions).toHaveLength(1);
    expect(result.contributions[0]).toMatchObject({
      mapping: 'virtual-patch-cve',
      coverage: 'full',
      reachability: 'controlled',
    });
    expect(result.contributions[0]?.reason).toContain(
      'It also removes internet reachability: the control has capability internet_block (mapping network-internet-block).',
    );
    expect(result).toMatchObject({ coverage: 'full', reachable: 'controlled' });
  });

  it('names the remedy by finding kind', () => {
    const code = exposure({
      kind: 'code',
      component: null,
      vulnerabilityId: 'py/sql-injection',
      aliases: [],
      cwes: ['CWE-89'],
      cvssVector: NETWORK,
    });
    expect(assess([control({ capabilities: ['injection'] })], code).effect).toMatch(/until the code is fixed\.$/);
  });

  it('is fast enough for the 100k benchmark', () => {
    const controls = [
      control({ rules: [cveRule], capabilities: ['injection'] }),
      control({ id: 'fw', kind: 'firewall', capabilities: ['internet_block'], scope: { networks: ['dmz'] } }),
      control({ id: 'edr', kind: 'edr', mode: 'detect', scope: { tags: ['web'] } }),
      control({ id: 'old', kind: 'edr', lastVerifiedAt: '2024-01-01' }),
    ];
    const input = { context: exposure(), asset: asset(), controls, now: NOW, freshnessDays: 30 };
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) assessCoverage(input);
    // ~0.6 s per 100k on a laptop; allow slow CI runners ten times that.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
