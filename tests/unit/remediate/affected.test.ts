import { describe, expect, it } from 'vitest';
import { AffectedPackageSchema } from '../../../src/domain/advisory.ts';
import {
  advisoriesAffecting,
  affectedPackagesFor,
  isAffected,
  supportsEcosystem,
} from '../../../src/remediate/affected.ts';
import { hasSharedFixtures } from '../../helpers/fixtures.ts';
import { osvAdvisories, osvAdvisory } from './support.ts';

const pkg = (
  ranges: { introduced?: string; fixed?: string; last_affected?: string; limit?: string }[][],
  versions: string[] = [],
) =>
  AffectedPackageSchema.parse({
    ecosystem: 'npm',
    package: 'demo',
    ranges: ranges.map((events) => ({ type: 'SEMVER', events })),
    versions,
  });

describe('supportsEcosystem', () => {
  it('knows npm, PyPI, Maven and Go in any case, and nothing else', () => {
    for (const ecosystem of ['npm', 'NPM', 'PyPI', 'pypi', 'Maven', 'maven', 'Go', 'GO']) {
      expect([ecosystem, supportsEcosystem(ecosystem)]).toEqual([ecosystem, true]);
    }
    expect(supportsEcosystem('NuGet')).toBe(false);
    expect(() => isAffected('NuGet', '1.0.0', pkg([[{ introduced: '0' }]]))).toThrow(/unsupported ecosystem "NuGet"/);
  });
});

describe('isAffected: OSV semantics on hand-made ranges', () => {
  it('treats introduced "0" as the beginning and fixed as an exclusive end', () => {
    const affected = pkg([[{ introduced: '0' }, { fixed: '1.2.0' }]]);
    expect(isAffected('npm', '0.0.1', affected)).toBe(true);
    expect(isAffected('npm', '1.1.9', affected)).toBe(true);
    expect(isAffected('npm', '1.2.0', affected)).toBe(false);
    expect(isAffected('npm', '1.2.0-rc.1', affected)).toBe(true);
  });

  it('sorts events before walking them', () => {
    const affected = pkg([[{ fixed: '2.0.0' }, { introduced: '1.0.0' }, { fixed: '1.5.0' }, { introduced: '1.8.0' }]]);
    expect(isAffected('npm', '0.9.0', affected)).toBe(false);
    expect(isAffected('npm', '1.4.0', affected)).toBe(true);
    expect(isAffected('npm', '1.6.0', affected)).toBe(false);
    expect(isAffected('npm', '1.9.0', affected)).toBe(true);
    expect(isAffected('npm', '2.0.0', affected)).toBe(false);
  });

  it('honours limit and explicit versions, and ignores GIT ranges', () => {
    const limited = pkg([[{ introduced: '1.0.0' }, { limit: '1.5.0' }]]);
    expect(isAffected('npm', '1.4.0', limited)).toBe(true);
    expect(isAffected('npm', '1.5.0', limited)).toBe(false);
    const listed = pkg([], ['3.1.4']);
    expect(isAffected('npm', '3.1.4', listed)).toBe(true);
    expect(isAffected('npm', '3.1.5', listed)).toBe(false);
    const gitOnly = AffectedPackageSchema.parse({
      ecosystem: 'npm',
      package: 'demo',
      ranges: [{ type: 'GIT', events: [{ introduced: '0' }, { fixed: 'abc123' }] }],
    });
    expect(isAffected('npm', '1.0.0', gitOnly)).toBe(false);
  });

  it('rejects a version npm cannot read rather than guess', () => {
    expect(() => isAffected('npm', 'latest', pkg([[{ introduced: '0' }]]))).toThrow(/not a valid npm version/);
  });
});

describe.skipIf(!hasSharedFixtures)('isAffected: real OSV npm advisories', () => {
  it('lodash (GHSA-35jh-r3h4-6jhm): introduced 0, fixed 4.17.21', async () => {
    const [{ affected }] = affectedPackagesFor([await osvAdvisory('GHSA-35jh-r3h4-6jhm')], 'npm', 'lodash');
    expect(isAffected('npm', '4.17.4', affected!)).toBe(true);
    expect(isAffected('npm', '4.17.20', affected!)).toBe(true);
    expect(isAffected('npm', '4.17.21', affected!)).toBe(false);
  });

  it('decode-uri-component (GHSA-w573-4hg7-7wgq): last_affected is inclusive', async () => {
    const [{ affected }] = affectedPackagesFor(
      [await osvAdvisory('GHSA-w573-4hg7-7wgq')],
      'npm',
      'decode-uri-component',
    );
    expect(isAffected('npm', '0.2.0', affected!)).toBe(true);
    expect(isAffected('npm', '0.2.1', affected!)).toBe(false);
  });

  it('ws (GHSA-3h5v-q93c-6h6q): one range per release line, gaps between them', async () => {
    const [{ affected }] = affectedPackagesFor([await osvAdvisory('GHSA-3h5v-q93c-6h6q')], 'npm', 'ws');
    expect(affected!.ranges).toHaveLength(4);
    expect(isAffected('npm', '2.0.0', affected!)).toBe(false);
    expect(isAffected('npm', '5.2.3', affected!)).toBe(true);
    expect(isAffected('npm', '5.2.4', affected!)).toBe(false);
    expect(isAffected('npm', '6.2.2', affected!)).toBe(true);
    expect(isAffected('npm', '6.2.3', affected!)).toBe(false);
    expect(isAffected('npm', '7.5.10', affected!)).toBe(false);
    expect(isAffected('npm', '8.17.0', affected!)).toBe(true);
    expect(isAffected('npm', '8.17.1', affected!)).toBe(false);
  });

  it('express (GHSA-qw6h-vgh9-j6wx): prereleases of 5.0.0 fall in their own range', async () => {
    const [{ affected }] = affectedPackagesFor([await osvAdvisory('GHSA-qw6h-vgh9-j6wx')], 'npm', 'express');
    expect(isAffected('npm', '4.19.2', affected!)).toBe(true);
    expect(isAffected('npm', '4.20.0', affected!)).toBe(false);
    expect(isAffected('npm', '5.0.0-alpha.0', affected!)).toBe(false);
    expect(isAffected('npm', '5.0.0-alpha.1', affected!)).toBe(true);
    expect(isAffected('npm', '5.0.0-beta.3', affected!)).toBe(true);
    expect(isAffected('npm', '5.0.0', affected!)).toBe(false);
  });

  it('matches the ecosystem case-insensitively and only the named package', async () => {
    const advisories = await osvAdvisories(['GHSA-gxr4-xjj5-5px2', 'GHSA-29mw-wpgm-hmr9']);
    expect(affectedPackagesFor(advisories, 'NPM', 'jquery').map((e) => e.advisoryId)).toEqual(['GHSA-gxr4-xjj5-5px2']);
    expect(affectedPackagesFor(advisories, 'npm', 'lodash.trim').map((e) => e.affected.package)).toEqual([
      'lodash.trim',
    ]);
    expect(affectedPackagesFor(advisories, 'npm', 'left-pad')).toEqual([]);
    const entries = affectedPackagesFor(advisories, 'npm', 'lodash.trim');
    expect(advisoriesAffecting(entries, 'npm', '4.5.1')).toEqual(['GHSA-29mw-wpgm-hmr9']);
    expect(advisoriesAffecting(entries, 'npm', '4.5.2')).toEqual([]);
  });
});
