import { describe, expect, it } from 'vitest';
import { AdvisorySchema } from '../../../src/domain/advisory.ts';
import { chooseTargetVersion } from '../../../src/remediate/target-version.ts';
import { hasSharedFixtures } from '../../helpers/fixtures.ts';
import { osvAdvisories } from './support.ts';

const choose = async (pkg: string, current: string, ids: string[]) =>
  chooseTargetVersion({ ecosystem: 'npm', package: pkg, current, advisories: await osvAdvisories(ids) });

describe.skipIf(!hasSharedFixtures)('chooseTargetVersion on real OSV advisories', () => {
  it('takes the smallest fixed version free of all four lodash advisories, a patch bump', async () => {
    const choice = await choose('lodash', '4.17.4', [
      'GHSA-jf85-cpcp-j695',
      'GHSA-p6mc-m468-83gw',
      'GHSA-35jh-r3h4-6jhm',
      'GHSA-29mw-wpgm-hmr9',
    ]);
    expect(choice).toMatchObject({ target: '4.17.21', bump: 'patch', crossesMajor: false, unresolved: [] });
    expect(choice.candidates).toEqual(['4.17.12', '4.17.20', '4.17.21']);
    expect(choice.resolves).toEqual([
      'GHSA-jf85-cpcp-j695',
      'GHSA-p6mc-m468-83gw',
      'GHSA-35jh-r3h4-6jhm',
      'GHSA-29mw-wpgm-hmr9',
    ]);
    expect(choice.reason).toContain('4.17.21');
    expect(choice.reason).toContain('4.17.4');
  });

  it('skips a fix of one advisory that another still affects (express 4.19.2 → 4.20.0)', async () => {
    const choice = await choose('express', '4.12.4', ['GHSA-rv95-896h-c2vc', 'GHSA-qw6h-vgh9-j6wx']);
    expect(choice.candidates).toEqual(['4.19.2', '4.20.0', '5.0.0']);
    expect(choice).toMatchObject({ target: '4.20.0', bump: 'minor', crossesMajor: false });
    expect(choice.resolves).toEqual(['GHSA-rv95-896h-c2vc', 'GHSA-qw6h-vgh9-j6wx']);
  });

  it('prefers the current major even when later majors have fixes (ws 6.1.0 → 6.2.3)', async () => {
    const choice = await choose('ws', '6.1.0', ['GHSA-3h5v-q93c-6h6q']);
    expect(choice.candidates).toEqual(['6.2.3', '7.5.10', '8.17.1']);
    expect(choice).toMatchObject({ target: '6.2.3', bump: 'minor', crossesMajor: false });
  });

  it('stays on the 0.1 line of path-to-regexp', async () => {
    const choice = await choose('path-to-regexp', '0.1.7', ['GHSA-9wv6-86v2-598j']);
    expect(choice).toMatchObject({ target: '0.1.10', bump: 'patch', crossesMajor: false });
  });

  it('crosses a major only when the current major has no fix (jsonwebtoken 8.5.1 → 9.0.0)', async () => {
    const choice = await choose('jsonwebtoken', '8.5.1', [
      'GHSA-27h2-hvpr-p74q',
      'GHSA-8cf7-32gw-wr33',
      'GHSA-hjrf-2m68-5959',
      'GHSA-qwph-4952-7xr6',
    ]);
    expect(choice).toMatchObject({ target: '9.0.0', bump: 'major', crossesMajor: true, candidates: ['9.0.0'] });
    expect(choice.resolves).toHaveLength(4);
    expect(choice.reason).toMatch(/no fix exists in major 8/);
  });

  it('considers prerelease fixes only from a prerelease', async () => {
    const choice = await choose('express', '5.0.0-beta.1', ['GHSA-rv95-896h-c2vc', 'GHSA-qw6h-vgh9-j6wx']);
    expect(choice.candidates).toEqual(['5.0.0-beta.3', '5.0.0']);
    expect(choice).toMatchObject({ target: '5.0.0', bump: 'patch', crossesMajor: false });
  });

  it('returns no target when the advisory has no fixed version', async () => {
    const choice = await choose('decode-uri-component', '0.2.0', ['GHSA-w573-4hg7-7wgq']);
    expect(choice).toMatchObject({ target: null, bump: null, candidates: [], unresolved: ['GHSA-w573-4hg7-7wgq'] });
    expect(choice.reason).toContain('no fixed version');
  });

  it('returns no target for a version no advisory affects', async () => {
    const choice = await choose('lodash', '4.17.21', ['GHSA-35jh-r3h4-6jhm']);
    expect(choice).toMatchObject({ target: null, resolves: [], unresolved: [] });
    expect(choice.reason).toBe('lodash 4.17.21 is not affected by the given advisories.');
  });
});

describe('chooseTargetVersion edge cases', () => {
  const advisory = (id: string, events: Record<string, string>[]) =>
    AdvisorySchema.parse({
      id,
      source: 'test',
      affected: [{ ecosystem: 'npm', package: 'demo', ranges: [{ type: 'SEMVER', events }] }],
    });

  it('gives up when every fixed version is hit by another advisory', () => {
    const choice = chooseTargetVersion({
      ecosystem: 'npm',
      package: 'demo',
      current: '1.0.0',
      advisories: [advisory('A', [{ introduced: '0' }, { fixed: '2.0.0' }]), advisory('B', [{ introduced: '2.0.0' }])],
    });
    expect(choice).toMatchObject({ target: null, candidates: ['2.0.0'], unresolved: ['A'], resolves: [] });
    expect(choice.reason).toContain('none of the fixed versions 2.0.0');
  });

  it('refuses other ecosystems and unreadable versions', () => {
    expect(() => chooseTargetVersion({ ecosystem: 'NuGet', package: 'x', current: '1.0', advisories: [] })).toThrow(
      /unsupported ecosystem/,
    );
    expect(() => chooseTargetVersion({ ecosystem: 'npm', package: 'x', current: 'latest', advisories: [] })).toThrow(
      /not a valid npm version/,
    );
  });
});
