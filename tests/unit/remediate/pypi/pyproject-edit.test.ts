import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ManifestEditError } from '../../../../src/remediate/dependency-edit.ts';
import { editPyproject, pyprojectDeclarations } from '../../../../src/remediate/pypi/pyproject-edit.ts';
import { bumpPoetrySpec, poetryFloor } from '../../../../src/remediate/pypi/specifiers.ts';

const PEP621 = `[build-system]
requires = ["setuptools>=61"]

[project]
name = "shop"
dependencies = [
    "Django>=3.0,<4",  # web
    'requests[socks]==2.25.0 ; python_version<"3.8"',
    "PyYAML==5.1",
]

[project.optional-dependencies]
dev = ["pytest>=7", "django-debug-toolbar"]
`;

const POETRY = `[tool.poetry]
name = "shop"

[tool.poetry.dependencies]
python = "^3.8"
django = "^3.2.1"
Flask = { version = "~2.2.0", extras = ["async"] }
"PyYAML" = "5.1"
mylib = { git = "https://example.com/mylib.git" }

[tool.poetry.group.dev.dependencies]
django = ">=3.0,<4"
`;

const edit = (
  text: string,
  packageName: string,
  target: string,
  lockfile: { name: string; text: string } | null = null,
) => editPyproject({ text, packageName, target, lockfile });
const edited = (text: string, packageName: string, target: string) => edit(text, packageName, target).files[0]!.after;

describe('Poetry constraints', () => {
  it.each([
    ['^3.2.1', '3.2.10', '^3.2.10', '3.2.1'],
    ['~2.2.0', '2.2.5', '~2.2.5', '2.2.0'],
    ['5.1', '5.4', '5.4', '5.1'],
    ['*', '5.4', '>=5.4', '0'],
    ['>=3.0,<4', '3.2.10', '>=3.2.10,<4', '3.0'],
    ['~=3.2', '3.2.10', '>=3.2.10,~=3.2', '3.2'],
  ])('%j → %s gives %j (floor %s)', (spec, target, next, floor) => {
    expect(bumpPoetrySpec(spec, target)).toBe(next);
    expect(poetryFloor(spec)).toBe(floor);
  });

  it('refuses alternatives', () => {
    expect(() => bumpPoetrySpec('^2.0 || ^3.0', '3.2.10')).toThrow(ManifestEditError);
  });
});

describe('editPyproject: PEP 621', () => {
  it('bumps the one string, keeps the comment, the quotes and every other byte', () => {
    const result = edit(PEP621, 'django', '3.2.10');
    expect(result).toMatchObject({
      direct: true,
      section: 'project.dependencies',
      previousSpec: '>=3.0,<4',
      previousVersion: '3.0',
      newSpec: '>=3.2.10,<4',
      lockfile: 'absent',
    });
    expect(result.files[0]!.after).toBe(PEP621.replace('"Django>=3.0,<4"', '"Django>=3.2.10,<4"'));
  });

  it('keeps extras, markers and the literal-string quote style', () => {
    expect(edited(PEP621, 'requests', '2.31.0')).toBe(
      PEP621.replace(`'requests[socks]==2.25.0 ;`, `'requests[socks]==2.31.0 ;`),
    );
  });

  it('raises an optional group and a transitive package joins project.dependencies', () => {
    expect(edited(PEP621, 'pytest', '7.2.0')).toBe(PEP621.replace('"pytest>=7"', '"pytest>=7.2.0"'));
    const added = edit(PEP621, 'urllib3', '1.26.18');
    expect(added).toMatchObject({ direct: false, newSpec: '>=1.26.18', section: 'project.dependencies' });
    expect(added.files[0]!.after).toBe(PEP621.replace('"PyYAML==5.1",\n', '"PyYAML==5.1",\n    "urllib3>=1.26.18",\n'));
    expect(parse(added.files[0]!.after)).toMatchObject({
      project: { dependencies: expect.arrayContaining(['urllib3>=1.26.18']) },
    });
  });
});

describe('editPyproject: Poetry', () => {
  it('keeps ^ and updates every table declaring the package (main and group)', () => {
    const result = edit(POETRY, 'Django', '3.2.10', { name: 'poetry.lock', text: '' });
    expect(result).toMatchObject({
      direct: true,
      section: 'tool.poetry.dependencies',
      previousSpec: '^3.2.1',
      newSpec: '^3.2.10',
      lockfile: 'regenerate',
      lockfileName: 'poetry.lock',
    });
    expect(result.files[0]!.after).toBe(
      POETRY.replace('django = "^3.2.1"', 'django = "^3.2.10"').replace(
        'django = ">=3.0,<4"',
        'django = ">=3.2.10,<4"',
      ),
    );
  });

  it('edits the version key of an inline table and a quoted key', () => {
    expect(edited(POETRY, 'flask', '2.2.5')).toBe(POETRY.replace('version = "~2.2.0"', 'version = "~2.2.5"'));
    expect(edited(POETRY, 'pyyaml', '5.4')).toBe(POETRY.replace('"PyYAML" = "5.1"', '"PyYAML" = "5.4"'));
  });

  it('refuses git sources and a package a Poetry-only project does not declare', () => {
    expect(() => edit(POETRY, 'mylib', '2.0')).toThrow(/git source/);
    expect(() => edit(POETRY, 'urllib3', '1.26.18')).toThrow(/not declared in pyproject.toml/);
    expect(() => edit('[project\nname=', 'x', '1.0')).toThrow(/not valid TOML/);
  });

  it('lists every declaration with its floor', () => {
    expect(pyprojectDeclarations(POETRY, 'django').map((d) => [d.section, d.spec, d.floor])).toEqual([
      ['tool.poetry.dependencies', '^3.2.1', '3.2.1'],
      ['tool.poetry.group.dev.dependencies', '>=3.0,<4', '3.0'],
    ]);
  });
});
