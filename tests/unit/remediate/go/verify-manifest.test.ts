import { describe, expect, it } from 'vitest';
import { editGoMod } from '../../../../src/remediate/go/gomod-edit.ts';
import { checkGoDependency, goModMentions } from '../../../../src/remediate/go/verify-manifest.ts';
import { GO_ADVISORIES } from '../support.ts';

const NET = 'golang.org/x/net';
const GO_MOD = `module example.com/shop\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.7.0 // indirect\n)\n`;
const check = (goMod: string) => checkGoDependency({ goMod, module: NET, advisories: GO_ADVISORIES });

describe('checkGoDependency', () => {
  it('is affected on a go.mod requiring v0.7.0, with the indirect marker in the source', () => {
    expect(check(GO_MOD)).toEqual({
      status: 'affected',
      versions: [{ source: 'go.mod require (indirect)', version: 'v0.7.0', affectedBy: ['GO-2023-2102'] }],
      evidence:
        `${NET}: go.mod still admits an affected version; ` +
        'found go.mod require (indirect) v0.7.0 (affected by GO-2023-2102).',
    });
  });

  it('is resolved after the bump to 0.17.0 and affected after a deliberately wrong pseudo-version', () => {
    const fixed = editGoMod({ goMod: GO_MOD, module: NET, target: '0.17.0' }).files[0]!.after;
    expect(check(fixed)).toMatchObject({ status: 'resolved', versions: [{ version: 'v0.17.0', affectedBy: [] }] });
    const wrong = editGoMod({ goMod: GO_MOD, module: NET, target: '0.0.0-20220906165146-f3363e06e74c' });
    // A pseudo-version below v0.7.0 is a downgrade the editor declines; start from an older pseudo-version.
    expect(wrong.files[0]!.after).toBe(GO_MOD);
    const old = GO_MOD.replace('v0.7.0', 'v0.0.0-20220722155237-a158d28d115b');
    const partial = editGoMod({ goMod: old, module: NET, target: '0.0.0-20220906165146-f3363e06e74c' }).files[0]!.after;
    expect(check(partial)).toMatchObject({
      status: 'affected',
      versions: [{ version: 'v0.0.0-20220906165146-f3363e06e74c', affectedBy: ['GO-2023-2102'] }],
    });
  });

  it('counts a replace to a version, and is pending for a replace by a local directory', () => {
    const pinned = `${GO_MOD}replace ${NET} => ${NET} v0.17.0\n`;
    expect(check(pinned)).toMatchObject({
      status: 'affected',
      versions: [
        { source: 'go.mod require (indirect)', version: 'v0.7.0' },
        { source: 'go.mod replace (line 8)', version: 'v0.17.0', affectedBy: [] },
      ],
    });
    const local = check(`${GO_MOD}replace ${NET} => ../net\n`);
    expect(local).toMatchObject({ status: 'pending', versions: [] });
    expect(local.evidence).toContain('replaces it with ../net');
  });

  it('knows whether go.mod names the module', () => {
    expect(goModMentions(GO_MOD, NET)).toBe(true);
    expect(goModMentions(GO_MOD, 'golang.org/x/crypto')).toBe(false);
  });
});
