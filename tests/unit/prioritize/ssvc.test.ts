import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import type { Asset } from '../../../src/domain/asset.ts';
import { ConfigError } from '../../../src/domain/errors.ts';
import { type ExposureContext, SsvcResultSchema } from '../../../src/domain/priority.ts';
import { loadPolicy } from '../../../src/prioritize/policy.ts';
import {
  AUTOMATABLE_VALUES,
  adjustForExposure,
  decideSsvc,
  deriveAutomatable,
  deriveExploitation,
  deriveMissionWellBeing,
  deriveSystemExposure,
  deriveTechnicalImpact,
  EXPLOITATION_VALUES,
  loadSsvcTable,
  lookupSsvcTable,
  MISSION_WELL_BEING_VALUES,
  parseCvssVector,
  SSVC_TABLE_FILE,
  TECHNICAL_IMPACT_VALUES,
} from '../../../src/prioritize/ssvc.ts';
import { hasSharedFixtures, SHARED_FIXTURES, SKIP_NO_FIXTURES } from '../../helpers/fixtures.ts';
import { coverageOf, exposureContext, plainAsset, wafContribution } from '../../helpers/prioritize.ts';

const policy = loadPolicy();
const ssvcPolicy = policy.ssvc;
const ANCHOR_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

const context = exposureContext;
const asset = plainAsset;
const coverage = coverageOf;
const contribution = wafContribution;

/**
 * CISA coordinator 2.0.3, written out here independently of the data file so a wrong data file
 * fails this test: rows in order Exploitation (none, public poc, active) × Automatable (no, yes)
 * × Technical Impact (partial, total) × Mission and Well-Being (low, medium, high).
 */
const EXPECTED_DECISIONS = [
  ...['Track', 'Track', 'Track', 'Track', 'Track', 'Track*', 'Track', 'Track', 'Attend', 'Track', 'Track', 'Attend'],
  ...['Track', 'Track', 'Track*', 'Track', 'Track*', 'Attend', 'Track', 'Track', 'Attend', 'Track', 'Track*', 'Attend'],
  ...['Track', 'Track', 'Attend', 'Track', 'Attend', 'Act', 'Attend', 'Attend', 'Act', 'Attend', 'Act', 'Act'],
];

describe('CISA SSVC table (our data file)', () => {
  const table = loadSsvcTable();

  it('has 36 rows, every combination once, in the published order', () => {
    expect(table).toHaveLength(36);
    let index = 0;
    for (const exploitation of EXPLOITATION_VALUES) {
      for (const automatable of AUTOMATABLE_VALUES) {
        for (const technicalImpact of TECHNICAL_IMPACT_VALUES) {
          for (const missionWellBeing of MISSION_WELL_BEING_VALUES) {
            expect(table[index]).toEqual({
              row: index,
              exploitation,
              automatable,
              technicalImpact,
              missionWellBeing,
              decision: EXPECTED_DECISIONS[index],
            });
            index++;
          }
        }
      }
    }
  });

  const exploitationInput: Record<string, Partial<ExposureContext>> = {
    none: {},
    'public poc': { publicExploit: true },
    active: { kev: { dateAdded: '2021-12-10', ransomware: false } },
  };
  const criticalityFor = { low: 'low', medium: 'high', high: 'crown_jewel' } as const;

  it.each(table)(
    'row $row: $exploitation, $automatable, $technicalImpact, $missionWellBeing -> $decision through decideSsvc',
    (row) => {
      const av = row.automatable === 'yes' ? 'AV:N/AC:L/PR:N/UI:N' : 'AV:N/AC:H/PR:N/UI:N';
      const impact = row.technicalImpact === 'total' ? 'C:H/I:H/A:N' : 'C:L/I:L/A:N';
      const result = decideSsvc({
        context: context({ ...exploitationInput[row.exploitation], cvssVector: `CVSS:3.1/${av}/S:U/${impact}` }),
        asset: asset({
          criticality: criticalityFor[row.missionWellBeing],
          dataSensitivity: 'internal',
          internetExposure: 'internet',
        }),
        coverage: coverage(),
        policy,
      });
      expect(result.path.slice(0, 4).map((step) => step.value)).toEqual([
        row.exploitation,
        row.automatable,
        row.technicalImpact,
        row.missionWellBeing,
      ]);
      expect(result.tableRow).toBe(row.row);
      expect(result.tableDecision).toBe(EXPECTED_DECISIONS[row.row]);
      // Exposure open keeps the table's decision.
      expect(result.decision).toBe(row.decision);
    },
  );

  it('looks every combination up to its own row', () => {
    for (const row of table) expect(lookupSsvcTable(row)).toEqual(row);
  });
});

describe.skipIf(!hasSharedFixtures)('CISA SSVC table against the published CSV', () => {
  if (!hasSharedFixtures) it.skip(SKIP_NO_FIXTURES, () => undefined);

  it('equals CERTCC/SSVC data/csv/cisa/cisa_coordinator_2_0_3.csv row for row', () => {
    const upstream = parseCsv(
      fs.readFileSync(path.join(SHARED_FIXTURES, 'ssvc/csv/cisa/cisa_coordinator_2_0_3.csv'), 'utf8'),
      { skip_empty_lines: true },
    ) as string[][];
    const ours = parseCsv(fs.readFileSync(SSVC_TABLE_FILE, 'utf8'), {
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
    }) as string[][];
    expect(upstream).toHaveLength(37);
    expect(ours).toEqual(upstream);
  });
});

describe('loadSsvcTable validation', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-ssvc-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const lines = fs.readFileSync(SSVC_TABLE_FILE, 'utf8').trimEnd().split('\n');

  function tableWith(name: string, edit: (lines: string[]) => string[]): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, `${edit([...lines]).join('\n')}\n`);
    return file;
  }

  it.each<[string, (lines: string[]) => string[], RegExp]>([
    ['a missing row', (l) => l.slice(0, -1), /expected exactly 36 rows, found 35$/],
    ['an extra row', (l) => [...l, '36,active,yes,total,high,act'], /expected exactly 36 rows, found 37$/],
    [
      'a duplicated combination',
      (l) => l.map((line) => (line.startsWith('1,') ? '1,none,no,partial,low,track' : line)),
      /data row 2: combination none\|no\|partial\|low already given by row 0$/,
    ],
    [
      'an unknown decision',
      (l) => l.map((line) => (line.startsWith('35,') ? '35,active,yes,total,high,urgent' : line)),
      /data row 36: expected CISA Levels to be one of track \| track\* \| attend \| act$/,
    ],
    [
      'an unknown Exploitation value',
      (l) => l.map((line) => (line.startsWith('0,') ? '0,maybe,no,partial,low,track' : line)),
      /data row 1: expected Exploitation to be one of none \| public poc \| active$/,
    ],
    [
      'a different header',
      (l) => l.map((line) => line.replace('Automatable v2.0.0', 'Automatable')),
      /expected the header/,
    ],
  ])('refuses a table with %s', (label, edit, expected) => {
    const file = tableWith(`${label.replaceAll(' ', '-')}.csv`, edit);
    const attempt = () => loadSsvcTable(file);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(expected);
  });
});

describe('parseCvssVector', () => {
  it('reads v3.1, v3.0, v4.0 and v2 vectors', () => {
    expect(parseCvssVector(ANCHOR_VECTOR)).toEqual({
      version: '3',
      metrics: { AV: 'N', AC: 'L', PR: 'N', UI: 'N', S: 'U', C: 'H', I: 'H', A: 'H' },
    });
    expect(parseCvssVector('CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N')?.version).toBe('3');
    expect(parseCvssVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')?.metrics.AT).toBe('N');
    expect(parseCvssVector('(AV:N/AC:L/Au:N/C:C/I:C/A:C)')).toEqual({
      version: '2',
      metrics: { AV: 'N', AC: 'L', Au: 'N', C: 'C', I: 'C', A: 'C' },
    });
  });

  it.each([null, undefined, '', 'garbage', 'CVSS:5.0/AV:N', 'CVSS:3.1/AV'])('returns null for %j', (vector) => {
    expect(parseCvssVector(vector)).toBeNull();
  });
});

describe('deriveExploitation', () => {
  it('is active when KEV lists it, whatever else is known', () => {
    const result = deriveExploitation(
      context({ kev: { dateAdded: '2021-12-10', ransomware: true }, epss: { score: 0.01, percentile: 0.1 } }),
      ssvcPolicy,
    );
    expect(result.value).toBe('active');
    expect(result.reason).toContain('CISA KEV (added 2021-12-10)');
    expect(result.reason).toContain('ransomware');
  });

  it('is public poc when a public exploit is known', () => {
    expect(deriveExploitation(context({ publicExploit: true }), ssvcPolicy)).toEqual({
      value: 'public poc',
      reason: 'a public proof-of-concept exploit is known (advisory exploit reference)',
    });
  });

  it('is public poc at the EPSS percentile threshold and none just below it', () => {
    const at = deriveExploitation(context({ epss: { score: 0.2, percentile: 0.95 } }), ssvcPolicy);
    expect(at.value).toBe('public poc');
    expect(at.reason).toContain('EPSS percentile 0.95 is at or above the policy threshold 0.95');
    const below = deriveExploitation(context({ epss: { score: 0.1, percentile: 0.9499 } }), ssvcPolicy);
    expect(below).toEqual({
      value: 'none',
      reason: 'not in CISA KEV, no public exploit known, EPSS percentile 0.9499 is below the policy threshold 0.95',
    });
  });

  it('follows the policy threshold', () => {
    const ctx = context({ epss: { score: 0.05, percentile: 0.8 } });
    expect(deriveExploitation(ctx, { epssPublicPocPercentile: 0.75 }).value).toBe('public poc');
    expect(deriveExploitation(ctx, { epssPublicPocPercentile: 0.85 }).value).toBe('none');
  });

  it('is none with no evidence at all', () => {
    expect(deriveExploitation(context(), ssvcPolicy)).toEqual({
      value: 'none',
      reason: 'not in CISA KEV, no public exploit known, no EPSS score',
    });
  });
});

describe('deriveAutomatable', () => {
  it('is yes for AV:N/AC:L/PR:N/UI:N', () => {
    const result = deriveAutomatable(context({ cvssVector: ANCHOR_VECTOR }));
    expect(result.value).toBe('yes');
    expect(result.reason).toMatch(/^CVSS AV:N\/AC:L\/PR:N\/UI:N: /);
  });

  it.each([
    ['CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AV:A'],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 'AC:H'],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 'PR:L'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 'UI:R'],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'AT:P'],
    ['AV:N/AC:L/Au:S/C:C/I:C/A:C', 'Au:S'],
  ])('is no for %s because of %s', (vector, culprit) => {
    const result = deriveAutomatable(context({ cvssVector: vector }));
    expect(result.value).toBe('no');
    expect(result.reason).toContain(culprit);
  });

  it('is yes for the v4 and v2 equivalents', () => {
    const v4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    expect(deriveAutomatable(context({ cvssVector: v4 })).value).toBe('yes');
    expect(deriveAutomatable(context({ cvssVector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' })).value).toBe('yes');
  });

  it('is no, with that reason, without a vector', () => {
    expect(deriveAutomatable(context())).toEqual({
      value: 'no',
      reason: 'no CVSS vector, so nothing shows the attack can be automated',
    });
    expect(deriveAutomatable(context({ cvssVector: 'nonsense' })).reason).toContain('"nonsense" is not recognized');
  });
});

describe('deriveTechnicalImpact', () => {
  it.each([
    [ANCHOR_VECTOR, 'total'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N', 'total'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 'partial'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H', 'partial'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 'partial'],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N', 'total'],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:N/I:H/A:N', 'total'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 'partial'],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:N/I:N/A:H', 'partial'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'total'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:H/SI:N/SA:N', 'total'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 'partial'],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 'total'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'partial'],
  ])('%s is %s', (vector, expected) => {
    expect(deriveTechnicalImpact(context({ cvssVector: vector })).value).toBe(expected);
  });

  it('explains the scope-change rule', () => {
    expect(deriveTechnicalImpact(context({ cvssVector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N' })).reason).toBe(
      'CVSS S:C with C:H: the high impact reaches beyond the vulnerable component (scope changed)',
    );
  });

  it('is partial without a vector', () => {
    expect(deriveTechnicalImpact(context())).toEqual({
      value: 'partial',
      reason: 'no CVSS vector, so nothing shows total control or total disclosure',
    });
  });
});

describe('deriveMissionWellBeing', () => {
  it.each<[Partial<Asset>, string]>([
    [{ criticality: 'crown_jewel', dataSensitivity: 'public' }, 'high'],
    [{ criticality: 'low', dataSensitivity: 'restricted' }, 'high'],
    [{ criticality: 'high', dataSensitivity: 'public' }, 'medium'],
    [{ criticality: 'low', dataSensitivity: 'confidential' }, 'medium'],
    [{ criticality: 'medium', dataSensitivity: 'internal' }, 'low'],
    [{ criticality: 'low', dataSensitivity: 'public' }, 'low'],
  ])('%o is %s', (fields, expected) => {
    const result = deriveMissionWellBeing(asset(fields));
    expect(result.value).toBe(expected);
    expect(result.reason).toContain(`criticality ${fields.criticality}, data sensitivity ${fields.dataSensitivity}`);
  });
});

describe('deriveSystemExposure', () => {
  it('is small when the asset is isolated', () => {
    expect(deriveSystemExposure(asset({ internetExposure: 'isolated' }), coverage()).value).toBe('small');
  });

  it('is small with full coverage, naming the controls, even when internet-facing', () => {
    const result = deriveSystemExposure(
      asset({ internetExposure: 'internet' }),
      coverage({ coverage: 'full', contributions: [contribution('waf-edge', 'full', 'unchanged')] }),
    );
    expect(result).toEqual({ value: 'small', reason: 'compensating controls cover it fully: waf-edge' });
  });

  it('is controlled when a control removes reachability', () => {
    const result = deriveSystemExposure(
      asset({ internetExposure: 'internet' }),
      coverage({
        coverage: 'partial',
        reachable: 'controlled',
        contributions: [contribution('fw-1', 'partial', 'controlled')],
      }),
    );
    expect(result).toEqual({ value: 'controlled', reason: 'a control makes it unreachable from the internet: fw-1' });
  });

  it('is controlled for an internal asset', () => {
    expect(deriveSystemExposure(asset({ internetExposure: 'internal' }), coverage()).value).toBe('controlled');
  });

  it('is open for an internet-facing asset with partial coverage and for unknown exposure', () => {
    const partial = coverage({ coverage: 'partial', contributions: [contribution('edr', 'partial', 'unchanged')] });
    expect(deriveSystemExposure(asset({ internetExposure: 'internet' }), partial).value).toBe('open');
    const unknown = deriveSystemExposure(asset({ internetExposure: 'unknown' }), coverage());
    expect(unknown.value).toBe('open');
    expect(unknown.reason).toContain('unknown internet exposure: assumed open');
  });
});

describe('adjustForExposure', () => {
  it.each([
    ['Act', 'open', 'Act'],
    ['Attend', 'open', 'Attend'],
    ['Act', 'controlled', 'Attend'],
    ['Attend', 'controlled', 'Attend'],
    ['Track*', 'controlled', 'Track*'],
    ['Track', 'controlled', 'Track'],
    ['Act', 'small', 'Attend'],
    ['Attend', 'small', 'Track*'],
    ['Track*', 'small', 'Track'],
    ['Track', 'small', 'Track'],
  ] as const)('%s with %s exposure -> %s', (decision, exposure, expected) => {
    expect(adjustForExposure(decision, exposure).value).toBe(expected);
  });
});

describe('decideSsvc', () => {
  const kevContext = context({
    cvssVector: ANCHOR_VECTOR,
    cvssScore: 10,
    kev: { dateAdded: '2021-12-10', ransomware: true },
  });
  const crownJewel = asset({ criticality: 'crown_jewel', internetExposure: 'internet', environment: 'production' });

  it('anchor: KEV-listed, internet-facing, uncovered, AV:N/AC:L/PR:N/UI:N C:H/I:H on a crown jewel is Act', () => {
    const result = decideSsvc({ context: kevContext, asset: crownJewel, coverage: coverage(), policy });
    expect(SsvcResultSchema.parse(result)).toEqual(result);
    expect(result.decision).toBe('Act');
    expect(result.tableDecision).toBe('Act');
    expect(result.tableRow).toBe(35);
    expect(result.path.map((step) => [step.point, step.value])).toEqual([
      ['Exploitation', 'active'],
      ['Automatable', 'yes'],
      ['Technical Impact', 'total'],
      ['Mission and Well-Being Impact', 'high'],
      ['CISA table', 'Act'],
      ['System Exposure', 'open'],
      ['Decision', 'Act'],
    ]);
    for (const step of result.path) expect(step.reason.length).toBeGreaterThan(10);
    expect(result.path[4]!.reason).toBe('CISA SSVC coordinator 2.0.3 row 35: active, yes, total, high gives Act');
  });

  it('anchor with full coverage is not Act: the table says Act, small exposure lowers it to Attend', () => {
    const result = decideSsvc({
      context: kevContext,
      asset: crownJewel,
      coverage: coverage({ coverage: 'full', contributions: [contribution('waf-edge', 'full', 'unchanged')] }),
      policy,
    });
    expect(result.tableDecision).toBe('Act');
    expect(result.decision).toBe('Attend');
    expect(result.path.at(-1)).toEqual({
      point: 'Decision',
      value: 'Attend',
      reason: 'System Exposure small lowers Act one level to Attend',
    });
  });

  it('anchor behind segmentation is Attend', () => {
    const result = decideSsvc({
      context: kevContext,
      asset: crownJewel,
      coverage: coverage({
        coverage: 'partial',
        reachable: 'controlled',
        contributions: [contribution('seg', 'partial', 'controlled')],
      }),
      policy,
    });
    expect(result.decision).toBe('Attend');
  });

  it('a misconfiguration without CVSS or exploitation evidence on a low asset is Track', () => {
    const result = decideSsvc({
      context: context({ kind: 'misconfiguration', vulnerabilityId: 'AVD-AWS-0086', severity: 'high' }),
      asset: asset({ criticality: 'low', dataSensitivity: 'public', internetExposure: 'internet' }),
      coverage: coverage(),
      policy,
    });
    expect(result).toMatchObject({ decision: 'Track', tableDecision: 'Track', tableRow: 0 });
  });
});
