import { describe, expect, it } from 'vitest';
import { advisoriesAffecting, affectedPackagesFor, isAffected } from '../../../../src/remediate/affected.ts';
import { chooseTargetVersion } from '../../../../src/remediate/target-version.ts';
import { hasSharedFixtures } from '../../../helpers/fixtures.ts';
import { osvAdvisories, osvAdvisory } from '../support.ts';

const DJANGO = ['GHSA-68w8-qjq3-2gfm', 'GHSA-v6rh-hp5x-86rv'];

const choose = async (pkg: string, current: string, ids: string[]) =>
  chooseTargetVersion({ ecosystem: 'PyPI', package: pkg, current, advisories: await osvAdvisories(ids, 'pypi') });

describe.skipIf(!hasSharedFixtures)('PyPI ranges of real OSV advisories (PEP 440 order)', () => {
  it('matches django and Django as one package (PEP 503), whatever the advisory spells', async () => {
    const advisories = await osvAdvisories(DJANGO, 'pypi');
    expect(advisories.map((a) => a.affected[0]!.package)).toEqual(['django', 'Django']);
    for (const name of ['Django', 'django', 'DJANGO']) {
      expect(affectedPackagesFor(advisories, 'pypi', name).map((e) => e.advisoryId)).toEqual(DJANGO);
    }
  });

  it('reads the Django release lines: 3.2.0 ≤ v < 3.2.4 and 3.2 ≤ v < 3.2.10', async () => {
    const entries = affectedPackagesFor(await osvAdvisories(DJANGO, 'pypi'), 'PyPI', 'django');
    expect(advisoriesAffecting(entries, 'PyPI', '3.2.1')).toEqual(DJANGO);
    expect(advisoriesAffecting(entries, 'PyPI', '3.2.4')).toEqual(['GHSA-v6rh-hp5x-86rv']);
    expect(advisoriesAffecting(entries, 'PyPI', '3.2.10')).toEqual([]);
    expect(advisoriesAffecting(entries, 'PyPI', '3.2.10rc1')).toEqual(['GHSA-v6rh-hp5x-86rv']);
    expect(advisoriesAffecting(entries, 'PyPI', '3.1.13')).toEqual(['GHSA-v6rh-hp5x-86rv']);
    expect(advisoriesAffecting(entries, 'PyPI', '3.0')).toEqual(DJANGO);
    expect(advisoriesAffecting(entries, 'PyPI', '4.2')).toEqual([]);
  });

  it('orders dev, pre and post releases around the flask fix (2.2.5)', async () => {
    const [{ affected }] = affectedPackagesFor([await osvAdvisory('GHSA-m2qf-hxjv-5gpq', 'pypi')], 'PyPI', 'Flask');
    expect(isAffected('PyPI', '2.2.4', affected!)).toBe(true);
    expect(isAffected('PyPI', '2.2.5.dev1', affected!)).toBe(true);
    expect(isAffected('PyPI', '2.2.5rc1', affected!)).toBe(true);
    expect(isAffected('PyPI', '2.2.5', affected!)).toBe(false);
    expect(isAffected('PyPI', '2.2.5.post1', affected!)).toBe(false);
    expect(isAffected('PyPI', '2.3.0rc1', affected!)).toBe(false);
    expect(isAffected('PyPI', '2.3.1', affected!)).toBe(true);
    expect(isAffected('PyPI', '2.3.2', affected!)).toBe(false);
    expect(() => isAffected('PyPI', 'latest', affected!)).toThrow(/not a valid PyPI version/);
  });

  it('moves Django 3.2.1 to 3.2.10, past 3.2.4 which one advisory still affects', async () => {
    const choice = await choose('Django', '3.2.1', DJANGO);
    expect(choice.candidates).toEqual(['3.2.4', '3.2.10']);
    expect(choice).toMatchObject({ target: '3.2.10', bump: 'patch', crossesMajor: false, resolves: DJANGO });
  });

  it('moves the pygoat PyYAML 5.1 pin to 5.4, a minor bump (name given in another case)', async () => {
    const choice = await choose('pyyaml', '5.1', ['GHSA-8q59-q68h-6hv4']);
    expect(choice).toMatchObject({ target: '5.4', bump: 'minor', crossesMajor: false, candidates: ['5.4'] });
  });

  it('leaves the pygoat PyJWT 2.4.0 pin alone: the fix itself', async () => {
    const choice = await choose('PyJWT', '2.4.0', ['GHSA-ffqj-6fqr-9h24']);
    expect(choice).toMatchObject({ target: null, resolves: [], unresolved: [] });
  });

  it('stays on the flask 2.2 line and crosses a major for setuptools only when it must', async () => {
    expect(await choose('flask', '2.2.2', ['GHSA-m2qf-hxjv-5gpq'])).toMatchObject({ target: '2.2.5', bump: 'patch' });
    expect(await choose('flask', '2.3.1', ['GHSA-m2qf-hxjv-5gpq'])).toMatchObject({ target: '2.3.2', bump: 'patch' });
    expect(await choose('setuptools', '58.1.0', ['GHSA-r9hx-vwmv-q579'])).toMatchObject({
      target: '65.5.1',
      bump: 'major',
      crossesMajor: true,
    });
  });
});
