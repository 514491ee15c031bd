import { describe, expect, it } from 'vitest';
import { RiskAssessmentSchema } from '../../../src/domain/priority.ts';
import { loadPolicy, type RiskPolicy } from '../../../src/prioritize/policy.ts';
import { scoreRisk } from '../../../src/prioritize/risk.ts';
import { coverageOf, exposureContext, plainAsset, wafContribution } from '../../helpers/prioritize.ts';

const risk = loadPolicy().risk;

const context = exposureContext;
const asset = plainAsset;
const coverage = coverageOf;
const control = wafContribution;

const worst = context({
  cvssScore: 9.8,
  cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  epss: { score: 0.97, percentile: 0.999 },
  kev: { dateAdded: '2021-12-10', ransomware: true },
});
const crownJewel = asset({
  criticality: 'crown_jewel',
  environment: 'production',
  internetExposure: 'internet',
  dataSensitivity: 'restricted',
});

function contributions(result: { factors: { factor: string; contribution: number }[] }) {
  return Object.fromEntries(result.factors.map((f) => [f.factor, f.contribution]));
}

function sum(result: { factors: { contribution: number }[] }): number {
  return result.factors.reduce((total, f) => total + f.contribution, 0);
}

describe('scoreRisk', () => {
  it('itemizes every factor of a KEV-listed critical on an exposed crown jewel', () => {
    const result = scoreRisk(worst, crownJewel, coverage(), risk);
    expect(RiskAssessmentSchema.parse(result)).toEqual(result);
    expect(result.factors.map((f) => [f.factor, f.value, f.weight, f.contribution])).toEqual([
      ['cvss', 9.8, 25, 24.5],
      ['epss', 0.97, 10, 9.7],
      ['epssPercentile', 0.999, 5, 5],
      ['kev', true, 15, 15],
      ['ransomware', true, 5, 5],
      ['criticality', 'crown_jewel', 12, 12],
      ['environment', 'production', 8, 8],
      ['internetExposure', 'internet', 12, 12],
      ['dataSensitivity', 'restricted', 8, 8],
      ['coverage', 'none', 0, 0],
    ]);
    expect(result.score).toBe(99.2);
    for (const factor of result.factors) expect(factor.reason).not.toBe('');
    expect(result.factors[0]!.reason).toBe('CVSS base score 9.8 of 10');
    expect(result.factors[3]!.reason).toBe('in CISA KEV since 2021-12-10: exploited in the wild');
  });

  it('full coverage removes 60% of the sum, as one itemized negative factor', () => {
    const result = scoreRisk(
      worst,
      crownJewel,
      coverage({ coverage: 'full', contributions: [control('waf-edge', 'full', 'unchanged')] }),
      risk,
    );
    const covered = result.factors.at(-1)!;
    expect(covered).toEqual({
      factor: 'coverage',
      value: 'full',
      weight: 0.6,
      contribution: -59.52,
      reason: 'full coverage by waf-edge removes 60% of 99.2 points',
    });
    expect(result.score).toBe(39.68);
  });

  it('partial coverage removes 30%', () => {
    const result = scoreRisk(
      worst,
      crownJewel,
      coverage({ coverage: 'partial', contributions: [control('edr', 'partial', 'unchanged')] }),
      risk,
    );
    expect(contributions(result).coverage).toBe(-29.76);
    expect(result.score).toBe(69.44);
  });

  it('a control that removes reachability scales the internet-exposure factor', () => {
    const result = scoreRisk(
      worst,
      crownJewel,
      coverage({
        coverage: 'partial',
        reachable: 'controlled',
        contributions: [control('seg', 'partial', 'controlled')],
      }),
      risk,
    );
    const exposure = result.factors.find((f) => f.factor === 'internetExposure')!;
    expect(exposure.contribution).toBe(6);
    expect(exposure.reason).toContain('a control makes it unreachable: level 1 × 0.5');
    // 99.2 - 6 = 93.2 before coverage; partial removes 30% (27.96).
    expect(contributions(result).coverage).toBe(-27.96);
    expect(result.score).toBe(65.24);
  });

  it('uses the severity band when there is no CVSS score', () => {
    const result = scoreRisk(context({ severity: 'high' }), asset(), coverage(), risk);
    const cvss = result.factors[0]!;
    expect(cvss).toMatchObject({ factor: 'cvss', value: 'high', contribution: 20 });
    expect(cvss.reason).toBe('no CVSS score; severity high counts as 8 of 10');
    expect(contributions(scoreRisk(context({ severity: 'unknown' }), asset(), coverage(), risk)).cvss).toBe(13.75);
    expect(contributions(scoreRisk(context({ severity: 'info' }), asset(), coverage(), risk)).cvss).toBe(0);
  });

  it('gives no EPSS, KEV or ransomware points without that evidence', () => {
    const result = scoreRisk(context({ cvssScore: 5 }), asset(), coverage(), risk);
    const byName = Object.fromEntries(result.factors.map((f) => [f.factor, f]));
    expect(byName.epss).toMatchObject({ value: null, contribution: 0 });
    expect(byName.epssPercentile).toMatchObject({ value: null, contribution: 0 });
    expect(byName.kev).toMatchObject({ value: false, contribution: 0, reason: 'not in CISA KEV' });
    expect(byName.ransomware).toMatchObject({ value: false, contribution: 0 });
  });

  it('scores KEV without ransomware use', () => {
    const result = contributions(
      scoreRisk(context({ kev: { dateAdded: '2024-01-01', ransomware: false } }), asset(), coverage(), risk),
    );
    expect(result.kev).toBe(15);
    expect(result.ransomware).toBe(0);
  });

  it('applies the documented asset levels', () => {
    // Defaults: medium criticality, unknown environment, unknown exposure, internal data.
    const byDefault = contributions(scoreRisk(context({ cvssScore: 5 }), asset(), coverage(), risk));
    expect(byDefault).toMatchObject({ criticality: 6, environment: 6, internetExposure: 7.2, dataSensitivity: 3.2 });
    const quiet = contributions(
      scoreRisk(
        context({ cvssScore: 5 }),
        asset({ criticality: 'low', environment: 'test', internetExposure: 'isolated', dataSensitivity: 'public' }),
        coverage(),
        risk,
      ),
    );
    expect(quiet).toMatchObject({ criticality: 2.4, environment: 1.6, internetExposure: 0, dataSensitivity: 0.8 });
  });

  it('the lowest case stays above zero and the factors still add up', () => {
    const result = scoreRisk(
      context({ severity: 'info' }),
      asset({
        criticality: 'low',
        environment: 'development',
        internetExposure: 'isolated',
        dataSensitivity: 'public',
      }),
      coverage({ coverage: 'full', contributions: [control('edr', 'full', 'unchanged')] }),
      risk,
    );
    expect(result.score).toBe(1.92);
    expect(sum(result)).toBeCloseTo(result.score, 9);
  });

  it('factors always add up to the score, which stays within 0-100', () => {
    const contexts = [
      worst,
      context({ severity: 'medium' }),
      context({ cvssScore: 7.3, epss: { score: 0.00043, percentile: 0.123 } }),
      context({ cvssScore: 0.1, kev: { dateAdded: '2023-05-01', ransomware: false } }),
    ];
    const assets = [
      crownJewel,
      asset(),
      asset({
        criticality: 'high',
        environment: 'staging',
        internetExposure: 'internal',
        dataSensitivity: 'confidential',
      }),
    ];
    const coverages = [
      coverage(),
      coverage({ coverage: 'partial', contributions: [control('a', 'partial', 'unchanged')] }),
      coverage({ coverage: 'full', reachable: 'controlled', contributions: [control('b', 'full', 'controlled')] }),
    ];
    for (const c of contexts) {
      for (const a of assets) {
        for (const cov of coverages) {
          const result = scoreRisk(c, a, cov, risk);
          expect(sum(result)).toBeCloseTo(result.score, 9);
          expect(result.score).toBeGreaterThanOrEqual(0);
          expect(result.score).toBeLessThanOrEqual(100);
        }
      }
    }
  });

  it('uses the weights it is given', () => {
    const cvssOnly: RiskPolicy = {
      ...risk,
      weights: {
        cvss: 100,
        epss: 0,
        epssPercentile: 0,
        kev: 0,
        ransomware: 0,
        criticality: 0,
        environment: 0,
        internetExposure: 0,
        dataSensitivity: 0,
      },
    };
    const result = scoreRisk(worst, crownJewel, coverage(), cvssOnly);
    expect(result.score).toBe(98);
    expect(result.factors[0]).toMatchObject({ factor: 'cvss', weight: 100, contribution: 98 });
  });

  it('caps weights that sum to more than 100 with an itemized cap factor', () => {
    const heavy: RiskPolicy = { ...risk, weights: { ...risk.weights, cvss: 50 } };
    const result = scoreRisk(worst, crownJewel, coverage(), heavy);
    expect(result.score).toBe(100);
    expect(result.factors.at(-1)).toMatchObject({ factor: 'cap', value: 123.7, contribution: -23.7 });
    expect(sum(result)).toBeCloseTo(100, 9);
  });

  it('is deterministic and fast enough for 100k exposures', () => {
    expect(scoreRisk(worst, crownJewel, coverage(), risk)).toEqual(scoreRisk(worst, crownJewel, coverage(), risk));
    const cov = coverage();
    const started = performance.now();
    for (let i = 0; i < 100_000; i++) scoreRisk(worst, crownJewel, cov, risk);
    // About 60 ms on a laptop; the bound only catches an accidental quadratic or I/O.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
