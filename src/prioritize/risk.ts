import type { Asset } from '../domain/asset.ts';
import type { Criticality, DataSensitivity, Environment, InternetExposure, Severity } from '../domain/common.ts';
import type { RiskFactor } from '../domain/exposure.ts';
import type { CoverageAssessment, ExposureContext, RiskAssessment } from '../domain/priority.ts';
import type { RiskPolicy } from './policy.ts';

/**
 * The contextual risk score (0-100) of one exposure, itemized so a reviewer can check every
 * point: each factor contributes `weight × level` points (level 0-1 from the evidence), then
 * compensating-control coverage removes a share of the sum as one negative factor. The
 * contributions add up to the score exactly (in hundredths). docs/prioritization.md has the
 * formula. It runs in hot loops (100k exposures per benchmark), so it only builds the output.
 */

/** Representative CVSS score of a severity band, used when an exposure has no CVSS score. */
export const SEVERITY_SCORE: Record<Severity, number> = {
  critical: 9.5,
  high: 8,
  medium: 5.5,
  low: 2,
  info: 0,
  // Unknown is not evidence of low risk: treated like medium.
  unknown: 5.5,
};

export const CRITICALITY_LEVEL: Record<Criticality, number> = { crown_jewel: 1, high: 0.75, medium: 0.5, low: 0.2 };

/** Unknown environments count almost as production: nothing shows they are not. */
export const ENVIRONMENT_LEVEL: Record<Environment, number> = {
  production: 1,
  unknown: 0.75,
  staging: 0.5,
  development: 0.2,
  test: 0.2,
};

export const INTERNET_EXPOSURE_LEVEL: Record<InternetExposure, number> = {
  internet: 1,
  unknown: 0.6,
  internal: 0.3,
  isolated: 0,
};

export const DATA_SENSITIVITY_LEVEL: Record<DataSensitivity, number> = {
  restricted: 1,
  confidential: 0.7,
  internal: 0.4,
  public: 0.1,
};

function unit(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

/** Points in hundredths, so contributions add up to the score without floating-point drift. */
function hundredths(weight: number, level: number): number {
  return Math.round(weight * level * 100);
}

/** Scores one exposure on one asset under the policy's risk section (`policy.risk`). */
export function scoreRisk(
  context: ExposureContext,
  asset: Asset,
  coverage: CoverageAssessment,
  risk: RiskPolicy,
): RiskAssessment {
  const w = risk.weights;
  const factors: RiskFactor[] = [];
  let total = 0;
  const add = (factor: string, value: RiskFactor['value'], weight: number, level: number, reason: string) => {
    const points = hundredths(weight, level);
    total += points;
    factors.push({ factor, value, weight, contribution: points / 100, reason });
  };

  if (context.cvssScore != null) {
    add('cvss', context.cvssScore, w.cvss, unit(context.cvssScore / 10), `CVSS base score ${context.cvssScore} of 10`);
  } else {
    const score = SEVERITY_SCORE[context.severity];
    add(
      'cvss',
      context.severity,
      w.cvss,
      score / 10,
      `no CVSS score; severity ${context.severity} counts as ${score} of 10`,
    );
  }

  if (context.epss) {
    const { score, percentile } = context.epss;
    add('epss', score, w.epss, unit(score), `EPSS: ${pct(score)} probability of exploitation in the next 30 days`);
    add(
      'epssPercentile',
      percentile,
      w.epssPercentile,
      unit(percentile),
      `EPSS percentile ${percentile}: more likely to be exploited than ${pct(percentile)} of scored CVEs`,
    );
  } else {
    add('epss', null, w.epss, 0, 'no EPSS score (not a CVE, or not scored yet)');
    add('epssPercentile', null, w.epssPercentile, 0, 'no EPSS score (not a CVE, or not scored yet)');
  }

  const kev = context.kev;
  add(
    'kev',
    kev != null,
    w.kev,
    kev ? 1 : 0,
    kev ? `in CISA KEV since ${kev.dateAdded}: exploited in the wild` : 'not in CISA KEV',
  );
  add(
    'ransomware',
    kev?.ransomware === true,
    w.ransomware,
    kev?.ransomware ? 1 : 0,
    kev?.ransomware ? 'CISA KEV: known to be used in ransomware campaigns' : 'no known ransomware use',
  );

  add(
    'criticality',
    asset.criticality,
    w.criticality,
    CRITICALITY_LEVEL[asset.criticality],
    `asset ${asset.id} criticality ${asset.criticality}`,
  );
  add(
    'environment',
    asset.environment,
    w.environment,
    ENVIRONMENT_LEVEL[asset.environment],
    `asset ${asset.id} runs in ${asset.environment}`,
  );

  const exposureLevel = INTERNET_EXPOSURE_LEVEL[asset.internetExposure];
  if (coverage.reachable === 'controlled' && exposureLevel > 0) {
    add(
      'internetExposure',
      asset.internetExposure,
      w.internetExposure,
      exposureLevel * risk.controlledReachability,
      `asset ${asset.id} is ${asset.internetExposure}, but a control makes it unreachable: level ${exposureLevel} × ${risk.controlledReachability}`,
    );
  } else {
    add(
      'internetExposure',
      asset.internetExposure,
      w.internetExposure,
      exposureLevel,
      `asset ${asset.id} internet exposure ${asset.internetExposure}`,
    );
  }

  add(
    'dataSensitivity',
    asset.dataSensitivity,
    w.dataSensitivity,
    DATA_SENSITIVITY_LEVEL[asset.dataSensitivity],
    `asset ${asset.id} holds ${asset.dataSensitivity} data`,
  );

  if (coverage.coverage === 'none') {
    factors.push({
      factor: 'coverage',
      value: 'none',
      weight: 0,
      contribution: 0,
      reason: 'no compensating control covers it',
    });
  } else {
    const share = risk.coverageReduction[coverage.coverage];
    const removed = Math.round(total * share);
    const controls = coverage.contributions.map((c) => c.controlId).join(', ') || 'controls';
    factors.push({
      factor: 'coverage',
      value: coverage.coverage,
      weight: share,
      contribution: -removed / 100,
      reason: `${coverage.coverage} coverage by ${controls} removes ${pct(share)} of ${total / 100} points`,
    });
    total -= removed;
  }

  // Weights validated to sum to 100 and levels in 0-1 keep the total within 0-100; weights
  // passed without validation could exceed it, and the cap is then itemized like any factor.
  if (total > 10_000) {
    factors.push({
      factor: 'cap',
      value: total / 100,
      weight: 0,
      contribution: (10_000 - total) / 100,
      reason: `weights sum to more than 100; the score is capped at 100`,
    });
    total = 10_000;
  }
  return { score: total / 100, factors };
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}
