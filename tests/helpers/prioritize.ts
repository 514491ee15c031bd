import { type Asset, AssetSchema } from '../../src/domain/asset.ts';
import {
  type ControlContribution,
  type CoverageAssessment,
  type ExposureContext,
  ExposureContextSchema,
} from '../../src/domain/priority.ts';

/** A Log4Shell-like exposure context; override what a test is about. */
export function exposureContext(overrides: Partial<ExposureContext> = {}): ExposureContext {
  return ExposureContextSchema.parse({
    exposureId: 'exp-1',
    kind: 'package',
    vulnerabilityId: 'CVE-2021-44228',
    severity: 'critical',
    openedAt: '2025-01-01T00:00:00Z',
    ...overrides,
  });
}

/** A plain host asset with the schema's defaults. */
export function plainAsset(overrides: Partial<Asset> = {}): Asset {
  return AssetSchema.parse({ id: 'web-1', name: 'web 1', kind: 'host', ...overrides });
}

/** A coverage assessment with nothing applying, unless overridden. */
export function coverageOf(overrides: Partial<CoverageAssessment> = {}): CoverageAssessment {
  return {
    coverage: 'none',
    reachable: 'open',
    contributions: [],
    ignored: [],
    effect: 'no control applies',
    ...overrides,
  };
}

/** One WAF contribution at the given level and reachability effect. */
export function wafContribution(
  controlId: string,
  level: 'full' | 'partial',
  reachability: 'unchanged' | 'controlled',
): ControlContribution {
  return {
    controlId,
    controlKind: 'waf',
    mode: 'block',
    coverage: level,
    reachability,
    mapping: 'cwe-917/waf',
    reason: 'virtual patch',
    inScopeBecause: 'asset id',
  };
}
