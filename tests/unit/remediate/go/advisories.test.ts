import { describe, expect, it } from 'vitest';
import { AdvisorySchema } from '../../../../src/domain/advisory.ts';
import { advisoriesAffecting, affectedPackagesFor, isAffected } from '../../../../src/remediate/affected.ts';
import { chooseTargetVersion } from '../../../../src/remediate/target-version.ts';
import { GO_ADVISORIES } from '../support.ts';

const NET = 'golang.org/x/net';
const entries = affectedPackagesFor(GO_ADVISORIES, 'Go', NET);

describe('Go SEMVER ranges (golang.org/x/net, GO-2022-0969 and GO-2023-2102)', () => {
  it('compares go.mod versions (v prefix) with OSV versions (none), pseudo-versions by timestamp', () => {
    expect(advisoriesAffecting(entries, 'Go', 'v0.0.0-20220722155237-a158d28d115b')).toEqual([
      'GO-2022-0969',
      'GO-2023-2102',
    ]);
    expect(advisoriesAffecting(entries, 'Go', 'v0.0.0-20220906165146-f3363e06e74c')).toEqual(['GO-2023-2102']);
    expect(advisoriesAffecting(entries, 'Go', 'v0.7.0')).toEqual(['GO-2023-2102']);
    expect(advisoriesAffecting(entries, 'Go', 'v0.17.0')).toEqual([]);
    expect(advisoriesAffecting(entries, 'go', '0.18.0')).toEqual([]);
    expect(() => isAffected('Go', '0.17', entries[0]!.affected)).toThrow(/not a valid Go version/);
  });

  it('takes 0.17.0 from a pseudo-version: the pseudo-version fix of 0969 is still hit by 2102', () => {
    const choice = chooseTargetVersion({
      ecosystem: 'Go',
      package: NET,
      current: 'v0.0.0-20220722155237-a158d28d115b',
      advisories: GO_ADVISORIES,
    });
    expect(choice.candidates).toEqual(['0.0.0-20220906165146-f3363e06e74c', '0.17.0']);
    expect(choice).toMatchObject({ target: '0.17.0', bump: 'minor', crossesMajor: false });
    expect(choice.resolves).toEqual(['GO-2022-0969', 'GO-2023-2102']);
  });

  it('takes a pseudo-version fix when it is the only one (pseudo-versions are commits, not prereleases)', () => {
    const choice = chooseTargetVersion({
      ecosystem: 'Go',
      package: NET,
      current: 'v0.0.0-20220722155237-a158d28d115b',
      advisories: [GO_ADVISORIES[0]!],
    });
    expect(choice).toMatchObject({ target: '0.0.0-20220906165146-f3363e06e74c', bump: 'patch' });
  });

  it('skips a real prerelease fix from a release, and reads v0 → v1 as a major', () => {
    const advisory = AdvisorySchema.parse({
      id: 'X',
      source: 'test',
      affected: [
        {
          ecosystem: 'Go',
          package: 'example.com/m',
          ranges: [
            { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0-rc.1' }] },
            { type: 'SEMVER', events: [{ introduced: '1.0.0-rc.1' }, { fixed: '1.0.0' }] },
          ],
        },
      ],
    });
    const choice = chooseTargetVersion({
      ecosystem: 'Go',
      package: 'example.com/m',
      current: 'v0.9.0',
      advisories: [advisory],
    });
    expect(choice).toMatchObject({ target: '1.0.0', bump: 'major', crossesMajor: true, candidates: ['1.0.0'] });
  });
});
