import { describe, expect, it } from 'vitest';
import { type Asset, AssetSchema } from '../../../src/domain/asset.ts';
import { type ExposureContext, ExposureContextSchema, OwnerAssignmentSchema } from '../../../src/domain/priority.ts';
import { parseCodeowners } from '../../../src/prioritize/codeowners.ts';
import {
  type OwnershipRule,
  OwnershipRuleSchema,
  type RouteOwnerInput,
  routeOwner,
} from '../../../src/prioritize/ownership.ts';

function asset(overrides: Record<string, unknown> = {}): Asset {
  return AssetSchema.parse({
    id: 'payments-api',
    name: 'Payments API',
    kind: 'repository',
    environment: 'production',
    tags: ['pci', 'payments'],
    ...overrides,
  });
}

function exposure(overrides: Record<string, unknown> = {}): ExposureContext {
  return ExposureContextSchema.parse({
    exposureId: 'exp-1',
    kind: 'package',
    vulnerabilityId: 'CVE-2024-0001',
    severity: 'high',
    location: 'services/checkout/package-lock.json',
    openedAt: '2025-05-01T00:00:00Z',
    ...overrides,
  });
}

const rules: OwnershipRule[] = [
  OwnershipRuleSchema.parse({ match: { tags: ['pci'], environments: ['staging'] }, team: 'payments-staging' }),
  OwnershipRuleSchema.parse({ match: { tags: ['pci', 'gdpr'] }, team: 'payments', owner: 'lead@acme.example' }),
  OwnershipRuleSchema.parse({ match: { kinds: ['repository'] }, team: 'developer-experience' }),
];

const codeowners = parseCodeowners(
  ['*                  @acme/platform', '/services/checkout/ @acme/checkout @alice', '/vendor/'].join('\n'),
);

function route(overrides: Partial<RouteOwnerInput> = {}) {
  const result = routeOwner({
    asset: asset(),
    context: exposure(),
    rules,
    defaultTriageQueue: 'secops-triage',
    codeowners,
    ...overrides,
  });
  OwnerAssignmentSchema.parse(result);
  return result;
}

describe('routeOwner', () => {
  it('(a) routes a repository finding by the CODEOWNERS entry for its file', () => {
    expect(route()).toEqual({
      owner: '@alice',
      team: '@acme/checkout',
      rule: 'codeowners:/services/checkout/',
      reason:
        'CODEOWNERS line 2 (/services/checkout/) is the last pattern matching services/checkout/package-lock.json; ' +
        'it names @acme/checkout, @alice.',
      triage: false,
    });
  });

  it('(a) prefers CODEOWNERS over the asset owner for repositories only', () => {
    expect(route({ asset: asset({ owner: 'bob', team: 'core' }) }).rule).toBe('codeowners:/services/checkout/');
    const host = route({ asset: asset({ kind: 'host', owner: 'bob', team: 'core' }) });
    expect(host).toMatchObject({ rule: 'asset-owner', owner: 'bob', team: 'core' });
    expect(host.reason).toBe('Asset payments-api records its own owner bob and team core in the inventory.');
  });

  it('(b) falls back to the asset owner when CODEOWNERS leaves the file unowned, and says so', () => {
    const result = route({
      asset: asset({ team: 'core' }),
      context: exposure({ location: 'vendor/lib/x.js:10' }),
    });
    expect(result).toEqual({
      owner: null,
      team: 'core',
      rule: 'asset-owner',
      reason:
        'Asset payments-api records its own team core in the inventory. Earlier steps did not decide: ' +
        'CODEOWNERS line 3 (/vendor/) matches vendor/lib/x.js but names no owner.',
      triage: false,
    });
  });

  it('(c) uses the first rule whose selectors all match', () => {
    const result = route({ codeowners: undefined });
    expect(result).toEqual({
      owner: 'lead@acme.example',
      team: 'payments',
      rule: 'ownership-rules[1]',
      reason:
        'Ownership rule 2 routes to team payments: asset tag pci matches match.tags. Earlier steps did not decide: ' +
        'no CODEOWNERS file was given for repository payments-api and asset payments-api records no owner or team.',
      triage: false,
    });
  });

  it('(c) requires every selector of a rule to match (tags AND environments)', () => {
    const staging = route({ codeowners: undefined, asset: asset({ environment: 'staging' }) });
    expect(staging.rule).toBe('ownership-rules[0]');
    expect(staging.reason).toMatch(
      /^Ownership rule 1 routes to team payments-staging: asset tag pci matches match\.tags and environment staging matches match\.environments\./,
    );
  });

  it('(c) notes a finding without a path when CODEOWNERS cannot be consulted', () => {
    const result = route({ context: exposure({ location: null }) });
    expect(result.rule).toBe('ownership-rules[1]');
    expect(result.reason).toContain('the finding names no file path to look up in CODEOWNERS');
  });

  it('(d) sends the exposure to the triage queue with every reason nothing matched', () => {
    const result = route({ asset: asset({ kind: 'host', tags: ['web'] }) });
    expect(result).toEqual({
      owner: null,
      team: 'secops-triage',
      rule: 'triage',
      reason:
        'Sent to the triage queue secops-triage because asset payments-api records no owner or team and none of ' +
        'the 3 ownership rules matches asset payments-api (kind host, environment production, tags web).',
      triage: true,
    });
  });

  it('(d) says when the policy has no rules and no CODEOWNERS pattern matched', () => {
    const result = route({ rules: [], codeowners: parseCodeowners('/docs/ @acme/docs') });
    expect(result.triage).toBe(true);
    expect(result.reason).toBe(
      'Sent to the triage queue secops-triage because no CODEOWNERS pattern matches ' +
        'services/checkout/package-lock.json, asset payments-api records no owner or team and the policy has no ownership rules.',
    );
  });
});

describe('OwnershipRuleSchema', () => {
  it('accepts the policy shape and rejects a rule that would match everything', () => {
    expect(OwnershipRuleSchema.parse({ match: { assetIds: ['a'] }, team: 't' })).toEqual({
      match: { assetIds: ['a'] },
      team: 't',
    });
    expect(OwnershipRuleSchema.safeParse({ match: {}, team: 't' }).success).toBe(false);
    expect(OwnershipRuleSchema.safeParse({ match: { tags: [] }, team: 't' }).success).toBe(false);
    expect(OwnershipRuleSchema.safeParse({ match: { kinds: ['server'] }, team: 't' }).success).toBe(false);
    expect(OwnershipRuleSchema.safeParse({ match: { environments: ['prod'] }, team: 't' }).success).toBe(false);
    expect(OwnershipRuleSchema.safeParse({ match: { tag: ['pci'] }, team: 't' }).success).toBe(false);
  });
});
