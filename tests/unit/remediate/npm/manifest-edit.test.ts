import { describe, expect, it } from 'vitest';
import {
  bumpSpec,
  editNpmManifest,
  mentionsPackage,
  unifiedDiff,
} from '../../../../src/remediate/npm/manifest-edit.ts';
import { hasSharedFixtures } from '../../../helpers/fixtures.ts';
import { goofFile } from '../support.ts';

const manifest = [
  '{',
  '  "name": "demo",',
  '  "version": "1.0.0",',
  '  "dependencies": {',
  '    "express": "^4.12.4",',
  '    "lodash": "4.17.4",',
  '    "ws": "~6.1.0"',
  '  },',
  '  "devDependencies": {',
  '    "minimist": ">=0.0.8 <1"',
  '  }',
  '}',
  '',
].join('\n');

describe('bumpSpec', () => {
  it.each([
    ['^4.12.4', '^4.20.0'],
    ['~6.1.0', '~4.20.0'],
    ['4.12.4', '4.20.0'],
    ['=4.12.4', '4.20.0'],
    ['>=4 <5', '^4.20.0'],
    ['4.x', '^4.20.0'],
    ['*', '^4.20.0'],
    ['latest', '^4.20.0'],
    ['npm:express@^4.1.0', 'npm:express@^4.20.0'],
  ])('%s → %s', (previous, expected) => {
    expect(bumpSpec(previous, '4.20.0')).toBe(expected);
  });

  it.each([['file:../express'], ['git+https://github.com/expressjs/express.git'], ['expressjs/express#v4']])(
    'refuses the non-registry spec %s',
    (previous) => {
      expect(() => bumpSpec(previous, '4.20.0')).toThrow(/does not come from the npm registry/);
    },
  );
});

describe('editNpmManifest', () => {
  it('bumps a caret dependency in place and changes nothing else', () => {
    const edit = editNpmManifest({ packageJson: manifest, packageName: 'express', target: '4.20.0' });
    expect(edit).toMatchObject({
      direct: true,
      section: 'dependencies',
      previousSpec: '^4.12.4',
      newSpec: '^4.20.0',
      lockfile: 'absent',
    });
    expect(edit.files).toHaveLength(1);
    expect(edit.files[0]!.path).toBe('package.json');
    expect(edit.files[0]!.after).toBe(manifest.replace('"express": "^4.12.4"', '"express": "^4.20.0"'));
  });

  it('keeps exact pins exact and tildes tilde', () => {
    expect(editNpmManifest({ packageJson: manifest, packageName: 'lodash', target: '4.17.21' }).files[0]!.after).toBe(
      manifest.replace('"lodash": "4.17.4"', '"lodash": "4.17.21"'),
    );
    expect(editNpmManifest({ packageJson: manifest, packageName: 'ws', target: '6.2.3' }).newSpec).toBe('~6.2.3');
  });

  it('edits devDependencies, turning a compound range into a caret', () => {
    const edit = editNpmManifest({ packageJson: manifest, packageName: 'minimist', target: '1.2.6' });
    expect(edit).toMatchObject({ section: 'devDependencies', previousSpec: '>=0.0.8 <1', newSpec: '^1.2.6' });
    expect(edit.files[0]!.after).toBe(manifest.replace('">=0.0.8 <1"', '"^1.2.6"'));
  });

  it('adds an overrides block for a transitive package, in the file layout', () => {
    const edit = editNpmManifest({ packageJson: manifest, packageName: 'braces', target: '3.0.3' });
    expect(edit).toMatchObject({ direct: false, section: 'overrides', previousSpec: null, newSpec: '3.0.3' });
    expect(edit.files[0]!.after).toBe(
      manifest.replace(
        '    "minimist": ">=0.0.8 <1"\n  }\n}',
        '    "minimist": ">=0.0.8 <1"\n  },\n  "overrides": {\n    "braces": "3.0.3"\n  }\n}',
      ),
    );
  });

  it('replaces or extends an existing overrides block, and sets "." of a nested override', () => {
    const withOverrides =
      '{\n\t"name": "x",\n\t"overrides": {\n\t\t"braces": "3.0.2",\n\t\t"send": {\n\t\t\t"debug": "2.6.9"\n\t\t}\n\t}\n}';
    const replaced = editNpmManifest({ packageJson: withOverrides, packageName: 'braces', target: '3.0.3' });
    expect(replaced.previousSpec).toBe('3.0.2');
    expect(replaced.files[0]!.after).toBe(withOverrides.replace('"3.0.2"', '"3.0.3"'));
    const added = editNpmManifest({ packageJson: withOverrides, packageName: 'minimist', target: '1.2.6' });
    expect(added.files[0]!.after).toBe(
      withOverrides.replace('\t\t}\n\t}\n}', '\t\t},\n\t\t"minimist": "1.2.6"\n\t}\n}'),
    );
    const nested = editNpmManifest({ packageJson: withOverrides, packageName: 'send', target: '0.19.0' });
    expect(nested.files[0]!.after).toBe(
      withOverrides.replace('"debug": "2.6.9"\n', '"debug": "2.6.9",\n\t\t\t".": "0.19.0"\n'),
    );
  });

  it('keeps four-space indentation, CRLF line ends and a missing trailing newline', () => {
    const crlf = '{\r\n    "name": "x",\r\n    "dependencies": {\r\n        "lodash": "^4.17.4"\r\n    }\r\n}';
    const bumped = editNpmManifest({ packageJson: crlf, packageName: 'lodash', target: '4.17.21' });
    expect(bumped.files[0]!.after).toBe(crlf.replace('^4.17.4', '^4.17.21'));
    const overridden = editNpmManifest({ packageJson: crlf, packageName: 'braces', target: '3.0.3' });
    expect(overridden.files[0]!.after).toBe(
      crlf.replace('    }\r\n}', '    },\r\n    "overrides": {\r\n        "braces": "3.0.3"\r\n    }\r\n}'),
    );
    const compact = '{"name":"x","dependencies":{"lodash":"^4.17.4"}}';
    expect(editNpmManifest({ packageJson: compact, packageName: 'braces', target: '3.0.3' }).files[0]!.after).toBe(
      '{"name":"x","dependencies":{"lodash":"^4.17.4"}, "overrides":{ "braces":"3.0.3" }}',
    );
  });

  it('rejects text that is not a JSON object and targets that are not versions', () => {
    expect(() => editNpmManifest({ packageJson: '{ "name": ', packageName: 'x', target: '1.0.0' })).toThrow(
      /package.json is not valid JSON/,
    );
    expect(() => editNpmManifest({ packageJson: '[]', packageName: 'x', target: '1.0.0' })).toThrow(
      'package.json is not a JSON object',
    );
    expect(() => editNpmManifest({ packageJson: manifest, packageName: 'lodash', target: '^4.17.21' })).toThrow(
      /not a valid npm version/,
    );
  });
});

describe('mentionsPackage', () => {
  it('finds a package in a dependency section, in overrides or in the lockfile only', () => {
    expect(mentionsPackage(manifest, null, 'minimist')).toBe(true);
    expect(mentionsPackage('{"overrides":{"braces":"3.0.3"}}', null, 'braces')).toBe(true);
    expect(mentionsPackage(manifest, null, 'braces')).toBe(false);
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/braces': { version: '2.3.2' } } });
    expect(mentionsPackage(manifest, lock, 'braces')).toBe(true);
  });
});

describe.skipIf(!hasSharedFixtures)('editNpmManifest against the nodejs-goof lockfile', () => {
  const lockV2 = goofFile('package-lock.json');
  const asV3 = () => {
    const lock = JSON.parse(lockV2);
    delete lock.dependencies;
    return JSON.stringify({ ...lock, lockfileVersion: 3 }, null, 2);
  };
  const asV1 = () => {
    const lock = JSON.parse(lockV2);
    delete lock.packages;
    return JSON.stringify({ ...lock, lockfileVersion: 1 }, null, 2);
  };

  it.each([
    ['v2', () => lockV2],
    ['v3', asV3],
    ['v1', asV1],
  ])('asks to regenerate a %s lockfile that pins an older copy', (_, lockfile) => {
    const edit = editNpmManifest({
      packageJson: goofFile('package.json'),
      packageName: 'lodash',
      target: '4.17.21',
      lockfile: lockfile(),
    });
    expect(edit).toMatchObject({ direct: true, previousSpec: '4.17.4', newSpec: '4.17.21', lockfile: 'regenerate' });
    expect(edit.files.map((f) => f.path)).toEqual(['package.json']);
    expect(edit.files[0]!.after).toBe(goofFile('package.json').replace('"lodash": "4.17.4"', '"lodash": "4.17.21"'));
  });

  it('leaves a lockfile whose copies are all at or above the target unchanged', () => {
    // jquery is only installed at the top level (2.2.4); an override to an older release needs nothing installed.
    const edit = editNpmManifest({
      packageJson: '{\n  "name": "goof"\n}\n',
      packageName: 'jquery',
      target: '2.2.0',
      lockfile: asV3(),
    });
    expect(edit).toMatchObject({ section: 'overrides', lockfile: 'unchanged' });
  });
});

describe('editNpmManifest lockfile state', () => {
  const packageJson = '{\n  "dependencies": {\n    "lodash": "^4.17.4"\n  }\n}\n';
  const installed = { 'node_modules/lodash': { version: '4.17.21' } };

  it('asks to regenerate a v3 lockfile whose root entry still records the old spec', () => {
    const lockfile = JSON.stringify({
      lockfileVersion: 3,
      packages: { '': { dependencies: { lodash: '^4.17.4' } }, ...installed },
    });
    expect(editNpmManifest({ packageJson, packageName: 'lodash', target: '4.17.21', lockfile }).lockfile).toBe(
      'regenerate',
    );
  });

  it('leaves a v1 lockfile that already installs the target unchanged', () => {
    const lockfile = JSON.stringify({ lockfileVersion: 1, dependencies: { lodash: { version: '4.17.21' } } });
    expect(editNpmManifest({ packageJson, packageName: 'lodash', target: '4.17.21', lockfile }).lockfile).toBe(
      'unchanged',
    );
  });

  it('asks to regenerate a lockfile that lacks a direct dependency', () => {
    const lockfile = JSON.stringify({ lockfileVersion: 1, dependencies: {} });
    expect(editNpmManifest({ packageJson, packageName: 'lodash', target: '4.17.21', lockfile }).lockfile).toBe(
      'regenerate',
    );
  });
});

describe('unifiedDiff', () => {
  it('is empty for identical texts', () => {
    expect(unifiedDiff('package.json', 'a\n', 'a\n')).toBe('');
  });

  it('shows one changed line with three lines of context', () => {
    const after = manifest.replace('"lodash": "4.17.4"', '"lodash": "4.17.21"');
    expect(unifiedDiff('package.json', manifest, after)).toBe(
      [
        '--- a/package.json',
        '+++ b/package.json',
        '@@ -3,7 +3,7 @@',
        '   "version": "1.0.0",',
        '   "dependencies": {',
        '     "express": "^4.12.4",',
        '-    "lodash": "4.17.4",',
        '+    "lodash": "4.17.21",',
        '     "ws": "~6.1.0"',
        '   },',
        '   "devDependencies": {',
        '',
      ].join('\n'),
    );
  });

  it('marks a last line without newline and splits distant changes into hunks', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'].join('\n');
    const after = before.replace(/^1$/m, 'one').replace('12', 'twelve');
    expect(unifiedDiff('f', before, after)).toBe(
      [
        '--- a/f',
        '+++ b/f',
        '@@ -1,4 +1,4 @@',
        '-1',
        '+one',
        ' 2',
        ' 3',
        ' 4',
        '@@ -9,4 +9,4 @@',
        ' 9',
        ' 10',
        ' 11',
        '-12',
        '\\ No newline at end of file',
        '+twelve',
        '\\ No newline at end of file',
        '',
      ].join('\n'),
    );
  });
});
