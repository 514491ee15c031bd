import { describe, expect, it } from 'vitest';
import { type Finding, FindingSchema } from '../../../src/domain/finding.ts';
import {
  canonicalVulnerabilityId,
  contentHashOf,
  correlationKey,
  fingerprintOf,
  whereOf,
} from '../../../src/services/ingest/correlate.ts';

const lodash: Finding = FindingSchema.parse({
  sourceTool: 'trivy',
  format: 'trivy',
  kind: 'package',
  ruleId: 'CVE-2021-23337',
  packageName: 'lodash',
  ecosystem: 'npm',
  packageVersion: '4.17.20',
  fixedVersions: ['4.17.21'],
  severity: 'high',
  title: 'lodash command injection',
  assetHint: [{ kind: 'image', value: 'registry.example.com/shop/web:1.4.2' }],
  raw: {},
});

describe('canonicalVulnerabilityId', () => {
  it('prefers the lowest CVE (numerically), then the lowest GHSA, then the rule id', () => {
    expect(canonicalVulnerabilityId(['GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337'], 'x')).toBe('CVE-2021-23337');
    expect(canonicalVulnerabilityId(['CVE-2021-10000', 'CVE-2021-9999'], 'x')).toBe('CVE-2021-9999');
    expect(canonicalVulnerabilityId(['GHSA-p6mc-m468-83gw', 'GHSA-35jh-r3h4-6jhm'], 'x')).toBe('GHSA-35jh-r3h4-6jhm');
    expect(canonicalVulnerabilityId(['AVD-AWS-0086'], 'AVD-AWS-0086')).toBe('AVD-AWS-0086');
  });
});

describe('keys', () => {
  it('one exposure per asset, vulnerability and package, whatever the tool and version', () => {
    const grype = { ...lodash, sourceTool: 'grype', ruleId: 'GHSA-35jh-r3h4-6jhm', packageVersion: '4.17.19' };
    expect(correlationKey('shop-web', grype, 'CVE-2021-23337')).toBe(
      correlationKey('shop-web', lodash, 'CVE-2021-23337'),
    );
    expect(correlationKey('shop-web', lodash, 'CVE-2021-23337')).toBe('shop-web|package|CVE-2021-23337|npm/lodash');
    expect(correlationKey('other', lodash, 'CVE-2021-23337')).not.toBe(
      correlationKey('shop-web', lodash, 'CVE-2021-23337'),
    );
  });

  it('fingerprints are stable per tool and report location, and differ across tools', () => {
    const where = whereOf(lodash, undefined);
    expect(where).toBe('image:registry.example.com/shop/web:1.4.2');
    expect(fingerprintOf(where, lodash)).toBe(fingerprintOf(where, { ...lodash, title: 'renamed' }));
    expect(fingerprintOf(where, lodash)).not.toBe(fingerprintOf(where, { ...lodash, sourceTool: 'grype' }));
    expect(whereOf(lodash, 'shop-web')).toBe('asset:shop-web');
  });

  it('the content hash changes when a fact changes, not otherwise', () => {
    expect(contentHashOf(lodash)).toBe(contentHashOf({ ...lodash, raw: { other: true } }));
    expect(contentHashOf(lodash)).not.toBe(contentHashOf({ ...lodash, fixedVersions: ['4.17.22'] }));
  });
});
