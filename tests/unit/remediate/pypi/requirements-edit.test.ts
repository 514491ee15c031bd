import { describe, expect, it } from 'vitest';
import { ManifestEditError } from '../../../../src/remediate/dependency-edit.ts';
import { editRequirements, readRequirements } from '../../../../src/remediate/pypi/requirements-edit.ts';
import { bumpPep440Spec, parseRequirement, pep440Floor } from '../../../../src/remediate/pypi/specifiers.ts';
import { hasSharedFixtures } from '../../../helpers/fixtures.ts';
import { sharedManifest } from '../support.ts';

const edit = (text: string, packageName: string, target: string) =>
  editRequirements({ text, fileName: 'requirements.txt', packageName, target });
const edited = (text: string, packageName: string, target: string) => edit(text, packageName, target).files[0]!.after;

describe('parseRequirement', () => {
  it('locates the specifier between the name (with extras) and markers, comments or options', () => {
    const line = 'requests[socks] >= 2.25.0, <3 ; python_version < "3.8"  # pinned';
    const requirement = parseRequirement(line)!;
    expect(requirement).toMatchObject({ name: 'requests', spec: '>= 2.25.0, <3', url: null, hasHashes: false });
    expect(line.slice(requirement.specStart, requirement.specEnd)).toBe('>= 2.25.0, <3');
    expect(parseRequirement('Django')).toMatchObject({ name: 'Django', spec: '', specStart: 6, specEnd: 6 });
    expect(parseRequirement('foo (>=1.0)')).toMatchObject({ spec: '>=1.0' });
    expect(parseRequirement('pkg @ https://example.com/pkg.whl')).toMatchObject({ url: 'https://example.com/pkg.whl' });
    expect(parseRequirement('six==1.16.0 --hash=sha256:abc')).toMatchObject({ spec: '==1.16.0', hasHashes: true });
    for (const other of ['', '   ', '# comment', '-r base.txt', '--index-url https://x', '-e .']) {
      expect(parseRequirement(other)).toBeNull();
    }
  });
});

describe('PEP 440 specifier floors and bumps', () => {
  it.each([
    ['==5.1', '5.1'],
    ['===5.1', '5.1'],
    ['>=3.0,<4', '3.0'],
    ['>=3.0, >=3.1', '3.1'],
    ['~=3.2', '3.2'],
    ['==3.2.*', '3.2'],
    ['<4', '0'],
    ['', '0'],
    ['@@', null],
  ])('the floor of %j is %j', (spec, floor) => {
    expect(pep440Floor(spec)).toBe(floor);
  });

  it.each([
    ['==5.1', '5.4', '==5.4'],
    ['===5.1', '5.4', '===5.4'],
    ['', '5.4', '>=5.4'],
    ['>=3.0,<4', '3.2.10', '>=3.2.10,<4'],
    ['>=3.0, <4, !=3.2.5', '3.2.10', '>=3.2.10, <4, !=3.2.5'],
    ['~=3.2', '3.2.10', '>=3.2.10,~=3.2'],
    ['==3.2.*', '3.2.10', '>=3.2.10,==3.2.*'],
    ['>3.1', '3.2.10', '>=3.2.10'],
  ])('%j → %s gives %j', (spec, target, next) => {
    expect(bumpPep440Spec(spec, target)).toBe(next);
  });

  it('refuses to raise a cap the target is above', () => {
    expect(() => bumpPep440Spec('>=3.0,<3.2', '3.2.10')).toThrow(ManifestEditError);
    expect(() => bumpPep440Spec('~=2.2.0', '2.3.2')).toThrow(/outside the declared range/);
  });
});

describe('editRequirements', () => {
  it('bumps an exact pin in place and keeps the rest of the file byte for byte', () => {
    const text = '# app\r\nDjango==3.2.1\r\nrequests==2.25.0\r\n';
    const result = edit(text, 'django', '3.2.10');
    expect(result).toMatchObject({
      direct: true,
      section: 'requirements.txt',
      previousSpec: '==3.2.1',
      previousVersion: '3.2.1',
      newSpec: '==3.2.10',
      lockfile: 'absent',
    });
    expect(result.files).toEqual([
      { path: 'requirements.txt', before: text, after: '# app\r\nDjango==3.2.10\r\nrequests==2.25.0\r\n' },
    ]);
  });

  it('keeps extras, markers and comments, and bumps every line naming the package', () => {
    const text = [
      'requests[socks]==2.25.0 ; python_version < "3.8"  # old pythons',
      'requests[socks]>=2.20,<3 ; python_version >= "3.8"',
      '-r base.txt',
      '',
    ].join('\n');
    expect(edited(text, 'Requests', '2.31.0')).toBe(
      [
        'requests[socks]==2.31.0 ; python_version < "3.8"  # old pythons',
        'requests[socks]>=2.31.0,<3 ; python_version >= "3.8"',
        '-r base.txt',
        '',
      ].join('\n'),
    );
  });

  it('adds an unpinned name a floor, and leaves lines already at or above the target alone', () => {
    expect(edited('flask\ndjango==4.2\n', 'flask', '2.2.5')).toBe('flask>=2.2.5\ndjango==4.2\n');
    const text = 'django==3.2.10\ndjango==3.1.0; python_version<"3.6"\n';
    const result = edit(text, 'django', '3.2.10');
    expect(result.files[0]!.after).toBe('django==3.2.10\ndjango==3.2.10; python_version<"3.6"\n');
    expect(result.previousSpec).toBe('==3.1.0');
  });

  it('reports a no-op and a downgrade through previousVersion, without changing the text', () => {
    const same = edit('django==3.2.10\n', 'django', '3.2.10');
    expect(same.files[0]!.after).toBe(same.files[0]!.before);
    expect(same.previousVersion).toBe('3.2.10');
    expect(edit('django==4.2\n', 'django', '3.2.10').previousVersion).toBe('4.2');
  });

  it('adds a transitive package on its own line, pinned like the rest of the file', () => {
    expect(edited('a==1.0\nb==2.0', 'urllib3', '1.26.18')).toBe('a==1.0\nb==2.0\nurllib3==1.26.18\n');
    const loose = edit('a>=1.0\n', 'urllib3', '1.26.18');
    expect(loose).toMatchObject({ direct: false, previousSpec: null, newSpec: '>=1.26.18' });
    expect(loose.files[0]!.after).toBe('a>=1.0\nurllib3>=1.26.18\n');
  });

  it('refuses URL requirements, hash-pinned lines and bad targets', () => {
    expect(() => edit('django @ https://example.com/django.tar.gz\n', 'django', '3.2.10')).toThrow(
      /not from the index/,
    );
    expect(() => edit('django==3.2.1 \\\n    --hash=sha256:0123\n', 'django', '3.2.10')).toThrow(/--hash/);
    expect(() => edit('django==3.2.1\n', 'django', 'latest')).toThrow(/not a valid PyPI version/);
  });

  it('reads continuation lines as part of the requirement before them', () => {
    const lines = readRequirements('six==1.16.0 \\\n    --hash=sha256:abc\nidna==3.4\n');
    expect(lines.map((l) => [l.name, l.line, l.hasHashes])).toEqual([
      ['six', 1, true],
      ['idna', 3, false],
    ]);
  });
});

describe.skipIf(!hasSharedFixtures)('editRequirements on the real pygoat requirements.txt', () => {
  const pygoat = sharedManifest('pygoat', 'requirements.txt');

  it('moves PyYAML 5.1 to 5.4 on its own line only (asked as pyyaml)', () => {
    const result = edit(pygoat, 'pyyaml', '5.4');
    expect(result).toMatchObject({ direct: true, previousSpec: '==5.1', newSpec: '==5.4' });
    const before = pygoat.split('\n');
    const changed = result.files[0]!.after.split('\n');
    expect(changed).toHaveLength(before.length);
    expect(changed.filter((line, index) => line !== before[index])).toEqual(['PyYAML==5.4']);
  });

  it('pins a transitive package with == like the 34 lines of the file', () => {
    expect(readRequirements(pygoat)).toHaveLength(34);
    expect(edited(pygoat, 'sqlparse', '0.4.4')).toBe(pygoat.replace('sqlparse==0.3.1', 'sqlparse==0.4.4'));
    expect(edited(pygoat, 'flask', '2.2.5')).toBe(`${pygoat}flask==2.2.5\n`);
  });
});
