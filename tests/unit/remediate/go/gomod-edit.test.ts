import { describe, expect, it } from 'vitest';
import { ManifestEditError } from '../../../../src/remediate/dependency-edit.ts';
import { assertModuleMajor, editGoMod, readGoMod } from '../../../../src/remediate/go/gomod-edit.ts';

const NET = 'golang.org/x/net';

const GO_MOD = `module example.com/shop

go 1.21

require (
\tgithub.com/gin-gonic/gin v1.9.1
\tgolang.org/x/text v0.13.0 // pinned for i18n
)

require (
\tgithub.com/bytedance/sonic v1.9.1 // indirect
\tgolang.org/x/net v0.7.0 // indirect
)
`;

const SUM = `golang.org/x/net v0.7.0 h1:old=
golang.org/x/net v0.7.0/go.mod h1:old=
`;

const edit = (goMod: string, module: string, target: string, goSum: string | null = null) =>
  editGoMod({ goMod, goSum, module, target });

describe('readGoMod', () => {
  it('reads requires in blocks and single lines, indirect markers, replaces and excludes', () => {
    const mod = readGoMod(
      `${GO_MOD}require github.com/pkg/errors v0.9.1\nreplace github.com/old/x v1.0.0 => ../x\n` +
        'exclude golang.org/x/net v0.8.0\n',
    );
    expect(mod.requires.map((r) => [r.path, r.version, r.indirect, r.block])).toEqual([
      ['github.com/gin-gonic/gin', 'v1.9.1', false, 0],
      ['golang.org/x/text', 'v0.13.0', false, 0],
      ['github.com/bytedance/sonic', 'v1.9.1', true, 1],
      [NET, 'v0.7.0', true, 1],
      ['github.com/pkg/errors', 'v0.9.1', false, null],
    ]);
    expect(mod.replaces).toEqual([
      { from: 'github.com/old/x', fromVersion: 'v1.0.0', to: '../x', toVersion: null, line: 15 },
    ]);
    expect(mod.excludes).toEqual([{ path: NET, version: 'v0.8.0' }]);
  });
});

describe('editGoMod', () => {
  it('raises the require line in its block, keeps // indirect, writes the v prefix', () => {
    const result = edit(GO_MOD, NET, '0.17.0', SUM);
    expect(result).toMatchObject({
      direct: false,
      section: 'require',
      previousSpec: 'v0.7.0',
      previousVersion: 'v0.7.0',
      newSpec: 'v0.17.0',
      lockfile: 'regenerate',
      lockfileName: 'go.sum',
    });
    expect(result.files).toEqual([
      {
        path: 'go.mod',
        before: GO_MOD,
        after: GO_MOD.replace(`${NET} v0.7.0 // indirect`, `${NET} v0.17.0 // indirect`),
      },
    ]);
  });

  it('keeps other comments and single-line requires, and says when go.sum already has the target', () => {
    const result = edit(GO_MOD, 'golang.org/x/text', 'v0.13.1');
    expect(result.files[0]!.after).toBe(GO_MOD.replace('v0.13.0 // pinned', 'v0.13.1 // pinned'));
    expect(result).toMatchObject({ direct: true, lockfile: 'absent', lockfileName: null });
    const single = 'module m\n\ngo 1.16\n\nrequire golang.org/x/net v0.0.0-20220722155237-a158d28d115b\n';
    const sum = `${NET} v0.17.0 h1:new=\n${NET} v0.17.0/go.mod h1:new=\n`;
    const bumped = edit(single, NET, '0.17.0', sum);
    expect(bumped.files[0]!.after).toBe(single.replace('v0.0.0-20220722155237-a158d28d115b', 'v0.17.0'));
    expect(bumped.lockfile).toBe('unchanged');
  });

  it('adds a transitive module as // indirect to the indirect block', () => {
    const result = edit(GO_MOD, 'golang.org/x/crypto', '0.17.0');
    expect(result).toMatchObject({ direct: false, previousSpec: null, newSpec: 'v0.17.0' });
    expect(result.files[0]!.after).toBe(
      GO_MOD.replace(
        `${NET} v0.7.0 // indirect\n)`,
        `${NET} v0.7.0 // indirect\n\tgolang.org/x/crypto v0.17.0 // indirect\n)`,
      ),
    );
    const bare = 'module m\n\ngo 1.16\n';
    expect(edit(bare, NET, '0.17.0').files[0]!.after).toBe(`${bare}\nrequire ${NET} v0.17.0 // indirect\n`);
  });

  it('reports a no-op and a downgrade through previousVersion', () => {
    expect(edit(GO_MOD, NET, 'v0.7.0').files[0]!.after).toBe(GO_MOD);
    expect(edit(GO_MOD, NET, 'v0.6.0').previousVersion).toBe('v0.7.0');
  });

  it('refuses replaced modules, excluded targets and versions of another major', () => {
    expect(() => edit(`${GO_MOD}replace ${NET} => ../net\n`, NET, '0.17.0')).toThrow(
      /replaces golang.org\/x\/net with \.\.\/net/,
    );
    expect(() => edit(`${GO_MOD}exclude ${NET} v0.17.0\n`, NET, '0.17.0')).toThrow(/excludes/);
    expect(() => edit(GO_MOD, 'github.com/gin-gonic/gin', 'v2.0.0')).toThrow(ManifestEditError);
    expect(() => edit(GO_MOD, NET, '0.17')).toThrow(/not a Go module version/);
  });

  it('knows which majors a module path can take', () => {
    expect(() => assertModuleMajor('example.com/m', 'v1.4.0')).not.toThrow();
    expect(() => assertModuleMajor('example.com/m', 'v2.0.0+incompatible')).not.toThrow();
    expect(() => assertModuleMajor('example.com/m/v3', 'v3.1.0')).not.toThrow();
    expect(() => assertModuleMajor('example.com/m/v3', 'v4.0.0')).toThrow(/example.com\/m\/v4/);
    expect(() => assertModuleMajor('gopkg.in/yaml.v2', 'v2.4.0')).not.toThrow();
    expect(() => assertModuleMajor('gopkg.in/yaml.v2', 'v3.0.1')).toThrow(ManifestEditError);
  });
});
