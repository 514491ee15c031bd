import { describe, expect, it } from 'vitest';
import { AdvisorySchema } from '../../../../src/domain/advisory.ts';
import { installedInstances, parseLockfile } from '../../../../src/remediate/npm/lockfile.ts';
import { editNpmManifest } from '../../../../src/remediate/npm/manifest-edit.ts';
import { checkNpmDependency } from '../../../../src/remediate/npm/verify-manifest.ts';
import { hasSharedFixtures } from '../../../helpers/fixtures.ts';
import { goofFile, osvAdvisory } from '../support.ts';

const LODASH = 'GHSA-35jh-r3h4-6jhm';
const BRACES = 'GHSA-grv7-fg5c-xmjg';

describe.skipIf(!hasSharedFixtures)('lockfile instances of the real nodejs-goof lockfile', () => {
  const v2 = goofFile('package-lock.json');
  const reshaped = (version: 1 | 3) => {
    const lock = JSON.parse(v2);
    delete lock[version === 1 ? 'packages' : 'dependencies'];
    return JSON.stringify({ ...lock, lockfileVersion: version });
  };

  it('finds every nested copy in the v3 packages map', () => {
    const instances = installedInstances(parseLockfile(reshaped(3)), 'braces');
    expect(instances).toEqual([
      { path: 'node_modules/braces', version: '3.0.2' },
      { path: 'node_modules/nyc/node_modules/braces', version: '2.3.2' },
      { path: 'node_modules/nyc/node_modules/test-exclude/node_modules/braces', version: '2.3.2' },
    ]);
  });

  it('finds the same copies in the v1 dependencies tree, and counts a v2 file once', () => {
    const byPath = (list: { path: string }[]) => [...list].sort((a, b) => a.path.localeCompare(b.path));
    const v3 = installedInstances(parseLockfile(reshaped(3)), 'lodash');
    expect(v3).toHaveLength(13);
    expect(byPath(installedInstances(parseLockfile(reshaped(1)), 'lodash'))).toEqual(byPath(v3));
    expect(installedInstances(parseLockfile(v2), 'lodash')).toEqual(v3);
  });
});

describe.skipIf(!hasSharedFixtures)('checkNpmDependency on nodejs-goof', () => {
  const packageJson = goofFile('package.json');
  const lockfile = goofFile('package-lock.json');

  it('reports a direct dependency pinned to an affected version as affected', async () => {
    const advisory = await osvAdvisory(LODASH);
    const check = checkNpmDependency({ packageJson, lockfile, packageName: 'lodash', advisories: [advisory] });
    expect(check.status).toBe('affected');
    expect(check.versions[0]).toEqual({ source: 'package.json dependencies', version: '4.17.4', affectedBy: [LODASH] });
    expect(check.versions).toContainEqual({
      source: 'package-lock.json node_modules/handlebars/node_modules/lodash',
      version: '4.17.21',
      affectedBy: [],
    });
    expect(check.versions).toHaveLength(14);
    expect(check.evidence).toMatch(/^lodash: package.json still admits an affected version; found package.json /);
    expect(check.evidence).toContain(`4.17.4 (affected by ${LODASH})`);
  });

  it('is pending after the manifest bump while the lockfile lags, resolved without a lockfile', async () => {
    const advisory = await osvAdvisory(LODASH);
    const after = editNpmManifest({ packageJson, packageName: 'lodash', target: '4.17.21', lockfile }).files[0]!.after;
    const pending = checkNpmDependency({ packageJson: after, lockfile, packageName: 'lodash', advisories: [advisory] });
    expect(pending.status).toBe('pending');
    expect(pending.versions[0]).toEqual({ source: 'package.json dependencies', version: '4.17.21', affectedBy: [] });
    expect(pending.evidence).toContain('regenerate');
    const resolved = checkNpmDependency({
      packageJson: after,
      lockfile: null,
      packageName: 'lodash',
      advisories: [advisory],
    });
    expect(resolved).toEqual({
      status: 'resolved',
      versions: [{ source: 'package.json dependencies', version: '4.17.21', affectedBy: [] }],
      evidence: `lodash: no version affected by ${LODASH} remains; found package.json dependencies 4.17.21.`,
    });
  });

  it('judges a transitive package by the lockfile until an override sets a floor', async () => {
    const advisory = await osvAdvisory(BRACES);
    const before = checkNpmDependency({ packageJson, lockfile, packageName: 'braces', advisories: [advisory] });
    expect(before.status).toBe('affected');
    expect(before.evidence).toContain('package.json sets no fixed floor');
    expect(before.versions.map((v) => v.affectedBy)).toEqual([[BRACES], [BRACES], [BRACES]]);
    const edit = editNpmManifest({ packageJson, packageName: 'braces', target: '3.0.3', lockfile });
    expect(edit.lockfile).toBe('regenerate');
    const after = checkNpmDependency({
      packageJson: edit.files[0]!.after,
      lockfile,
      packageName: 'braces',
      advisories: [advisory],
    });
    expect(after.status).toBe('pending');
    expect(after.versions[0]).toEqual({ source: 'package.json overrides', version: '3.0.3', affectedBy: [] });
  });
});

describe('checkNpmDependency edge cases', () => {
  const advisory = AdvisorySchema.parse({
    id: 'GHSA-test',
    source: 'test',
    affected: [
      {
        ecosystem: 'npm',
        package: 'demo',
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
      },
    ],
  });

  it('follows a $reference override to the direct spec', () => {
    const packageJson = JSON.stringify({
      dependencies: { other: '^2.1.0' },
      overrides: { demo: { '.': '$other' } },
    });
    const check = checkNpmDependency({ packageJson, lockfile: null, packageName: 'demo', advisories: [advisory] });
    expect(check.versions).toEqual([{ source: 'package.json overrides', version: '2.1.0', affectedBy: [] }]);
    expect(check.status).toBe('resolved');
  });

  it('treats a range whose floor is affected as affected even if the lockfile installs a fixed copy', () => {
    const packageJson = JSON.stringify({ devDependencies: { demo: '>=1.0.0' } });
    const lockfile = JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/demo': { version: '2.3.0' } } });
    const check = checkNpmDependency({ packageJson, lockfile, packageName: 'demo', advisories: [advisory] });
    expect(check.status).toBe('affected');
    expect(check.versions.map((v) => v.source)).toEqual([
      'package.json devDependencies',
      'package-lock.json node_modules/demo',
    ]);
  });

  it('notes a spec that is not a range and rejects malformed files', () => {
    const packageJson = JSON.stringify({ dependencies: { demo: 'latest' } });
    const check = checkNpmDependency({ packageJson, lockfile: null, packageName: 'demo', advisories: [advisory] });
    expect(check.status).toBe('resolved');
    expect(check.evidence).toContain('(package.json declares "latest", not a semver range)');
    expect(() =>
      checkNpmDependency({ packageJson: '[1]', lockfile: null, packageName: 'demo', advisories: [advisory] }),
    ).toThrow('package.json is not a JSON object');
    expect(() => checkNpmDependency({ packageJson, lockfile: 'nope', packageName: 'demo', advisories: [] })).toThrow(
      /package-lock.json is not valid JSON/,
    );
  });
});
