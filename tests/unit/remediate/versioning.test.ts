import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import {
  bumpLevel,
  compareVersions,
  goModVersion,
  isValidVersion,
  normalizePypiName,
  samePackage,
  sortVersions,
} from '../../../src/remediate/versioning.ts';

describe('compareVersions', () => {
  it.each([
    // npm: semver, prereleases before their release
    ['npm', '1.2.3-rc.1', '1.2.3'],
    ['npm', '4.17.4', '4.17.21'],
    // PyPI: PEP 440 (dev < pre < release < post; epochs first; short releases padded)
    ['PyPI', '2.2.5.dev1', '2.2.5a1'],
    ['PyPI', '2.2.5a1', '2.2.5rc1'],
    ['PyPI', '2.2.5rc1', '2.2.5'],
    ['PyPI', '2.2.5', '2.2.5.post1'],
    ['PyPI', '3.2.9', '3.2.10'],
    ['PyPI', '65.5.1', '1!0.1'],
    ['PyPI', '5.3.1', '5.4'],
    // Maven: ComparableVersion
    ['Maven', '5.2.19.RELEASE', '5.2.20.RELEASE'],
    ['Maven', '2.13.2', '2.13.2.1'],
    ['Maven', '2.17.0-rc1', '2.17.0'],
    ['Maven', '1.9', '1.10.0'],
    // Go: semver with or without v; pseudo-versions order by their timestamp, below the release
    ['Go', 'v0.0.0-20220722155237-a158d28d115b', '0.0.0-20220906165146-f3363e06e74c'],
    ['Go', '0.0.0-20220906165146-f3363e06e74c', 'v0.1.0'],
    ['Go', 'v0.16.0', '0.17.0'],
    ['Go', 'v1.9.9', 'v2.0.0+incompatible'],
  ])('%s: %s < %s', (ecosystem, low, high) => {
    expect(compareVersions(ecosystem, low, high)).toBe(-1);
    expect(compareVersions(ecosystem, high, low)).toBe(1);
  });

  it.each([
    ['PyPI', '3.0', '3.0.0'],
    ['PyPI', '1.0', '1.0+local'.replace('+local', '')],
    ['Maven', '1.0', '1-ga'],
    ['Maven', '5.2.20.RELEASE', '5.2.20'],
    ['Go', 'v0.17.0', '0.17.0'],
    ['Go', 'v2.0.0+incompatible', 'v2.0.0'],
  ])('%s: %s == %s', (ecosystem, a, b) => {
    expect(compareVersions(ecosystem, a, b)).toBe(0);
  });

  it('throws a ValidationError for versions the ecosystem cannot read and for unknown ecosystems', () => {
    expect(() => compareVersions('PyPI', 'latest', '1.0')).toThrow(ValidationError);
    expect(() => compareVersions('Go', '1.2', '1.2.0')).toThrow(/not a valid Go version/);
    expect(() => compareVersions('NuGet', '1.0', '1.1')).toThrow(/unsupported ecosystem "NuGet"/);
  });
});

describe('isValidVersion', () => {
  it.each([
    ['npm', '4.17.21', true],
    ['npm', '^4.17.21', false],
    ['pypi', '2.2.5.post1', true],
    ['PyPI', '1!2.0rc1', true],
    ['PyPI', '>=2.0', false],
    ['maven', '5.3.18', true],
    ['Maven', `\${spring.version}`, false],
    ['Maven', '[1.0,2.0)', false],
    ['go', 'v0.17.0', true],
    ['Go', '0.0.0-20220906165146-f3363e06e74c', true],
    ['Go', 'v1.2', false],
    ['NuGet', '1.0.0', false],
  ])('%s %s → %s', (ecosystem, version, valid) => {
    expect(isValidVersion(ecosystem, version)).toBe(valid);
  });
});

describe('bumpLevel', () => {
  it.each([
    ['npm', '4.17.4', '4.17.21', 'patch'],
    ['npm', '8.5.1', '9.0.0', 'major'],
    ['PyPI', '3.2.1', '3.2.10', 'patch'],
    ['PyPI', '5.1', '5.4', 'minor'],
    ['PyPI', '2.2', '2.2.5', 'patch'],
    ['PyPI', '3.2', '1!3.2.1', 'major'],
    ['Maven', '2.14.1', '2.16.0', 'minor'],
    ['Maven', '5.2.19.RELEASE', '5.2.20.RELEASE', 'patch'],
    ['Maven', '2.13.2', '2.13.2.1', 'patch'],
    ['Maven', '1.9', '1.10.0', 'minor'],
    ['Maven', '5.3.15', '6.0.0', 'major'],
    ['Go', 'v0.7.0', '0.17.0', 'minor'],
    ['Go', 'v0.0.0-20220722155237-a158d28d115b', '0.0.0-20220906165146-f3363e06e74c', 'patch'],
    ['Go', 'v0.9.1', 'v1.0.0', 'major'],
  ])('%s %s → %s is a %s bump', (ecosystem, from, to, level) => {
    expect(bumpLevel(ecosystem, from, to)).toBe(level);
  });
});

describe('sortVersions', () => {
  it('sorts ascending by the ecosystem order and drops what it cannot read', () => {
    expect(sortVersions('PyPI', ['3.2.10', 'garbage', '3.2.4', '3.2.10rc1', '2.2.24'])).toEqual([
      '2.2.24',
      '3.2.4',
      '3.2.10rc1',
      '3.2.10',
    ]);
    expect(sortVersions('maven', ['2.16.0', '2.3.1', '2.15.0', '2.12.2', `\${x}`, '2.16.0-rc1'])).toEqual([
      '2.3.1',
      '2.12.2',
      '2.15.0',
      '2.16.0-rc1',
      '2.16.0',
    ]);
    expect(sortVersions('go', ['v0.17.0', '0.0.0-20220906165146-f3363e06e74c', 'v0.7.0'])).toEqual([
      '0.0.0-20220906165146-f3363e06e74c',
      'v0.7.0',
      'v0.17.0',
    ]);
    expect(sortVersions('npm', ['4.17.21', '4.17.4', 'latest'])).toEqual(['4.17.4', '4.17.21']);
  });
});

describe('package names and Go spelling', () => {
  it('compares PyPI names by PEP 503 and others exactly', () => {
    expect(normalizePypiName('PyYAML')).toBe('pyyaml');
    expect(normalizePypiName('zope.interface__x')).toBe('zope-interface-x');
    expect(samePackage('PyPI', 'Django', 'django')).toBe(true);
    expect(samePackage('pypi', 'typing_extensions', 'Typing.Extensions')).toBe(true);
    expect(samePackage('npm', 'Lodash', 'lodash')).toBe(false);
    expect(samePackage('Maven', 'org.apache:Commons', 'org.apache:commons')).toBe(false);
  });

  it('writes Go versions the way go.mod does', () => {
    expect(goModVersion('0.17.0')).toBe('v0.17.0');
    expect(goModVersion('v0.17.0')).toBe('v0.17.0');
    expect(goModVersion('0.17')).toBeNull();
  });
});
