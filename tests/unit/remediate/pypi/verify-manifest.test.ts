import { describe, expect, it } from 'vitest';
import { editPyproject } from '../../../../src/remediate/pypi/pyproject-edit.ts';
import { editRequirements } from '../../../../src/remediate/pypi/requirements-edit.ts';
import {
  checkPypiDependency,
  pypiLockedVersions,
  pypiMentions,
} from '../../../../src/remediate/pypi/verify-manifest.ts';
import { hasSharedFixtures } from '../../../helpers/fixtures.ts';
import { osvAdvisories, osvAdvisory, sharedManifest } from '../support.ts';

const PYYAML = 'GHSA-8q59-q68h-6hv4';
const DJANGO = ['GHSA-68w8-qjq3-2gfm', 'GHSA-v6rh-hp5x-86rv'];

const POETRY_LOCK = `[[package]]
name = "django"
version = "3.2.1"
description = "web"

[[package]]
name = "pyyaml"
version = "5.4"

[metadata]
content-hash = "abc"
`;

describe.skipIf(!hasSharedFixtures)('checkPypiDependency on pygoat', () => {
  const pygoat = sharedManifest('pygoat', 'requirements.txt');
  const check = async (manifest: string, packageName: string, ids = [PYYAML]) =>
    checkPypiDependency({
      manifestName: 'requirements.txt',
      manifest,
      lockfile: null,
      packageName,
      advisories: await osvAdvisories(ids, 'pypi'),
    });

  it('finds PyYAML 5.1 affected, with its line', async () => {
    const result = await check(pygoat, 'pyyaml');
    expect(result.status).toBe('affected');
    expect(result.versions).toEqual([{ source: 'requirements.txt line 27', version: '5.1', affectedBy: [PYYAML] }]);
    expect(result.evidence).toBe(
      'pyyaml: requirements.txt still admits an affected version; ' +
        `found requirements.txt line 27 5.1 (affected by ${PYYAML}).`,
    );
  });

  it('is resolved after the bump to 5.4, and affected after a deliberately wrong one (5.3.1)', async () => {
    const fixed = editRequirements({
      text: pygoat,
      fileName: 'requirements.txt',
      packageName: 'PyYAML',
      target: '5.4',
    });
    const resolved = await check(fixed.files[0]!.after, 'PyYAML');
    expect(resolved).toEqual({
      status: 'resolved',
      versions: [{ source: 'requirements.txt line 27', version: '5.4', affectedBy: [] }],
      evidence: `PyYAML: no version affected by ${PYYAML} remains; found requirements.txt line 27 5.4.`,
    });
    const wrong = editRequirements({
      text: pygoat,
      fileName: 'requirements.txt',
      packageName: 'PyYAML',
      target: '5.3.1',
    });
    expect((await check(wrong.files[0]!.after, 'PyYAML')).status).toBe('affected');
  });

  it('finds pygoat Django 4.2 clean of the 3.x Django advisories', async () => {
    expect(await check(pygoat, 'django', DJANGO)).toMatchObject({ status: 'resolved' });
    expect(
      pypiMentions({ manifestName: 'requirements.txt', manifest: pygoat, lockfile: null, packageName: 'left-pad' }),
    ).toBe(false);
  });
});

describe.skipIf(!hasSharedFixtures)('checkPypiDependency on pyproject.toml with poetry.lock', () => {
  const pyproject = '[tool.poetry.dependencies]\npython = "^3.8"\ndjango = "3.2.1"\n';
  const lockfile = { name: 'poetry.lock', text: POETRY_LOCK };

  it('reads [[package]] entries of the lockfile by normalized name', () => {
    expect(pypiLockedVersions(lockfile, 'Django')).toEqual([{ source: 'poetry.lock', version: '3.2.1' }]);
    expect(pypiLockedVersions(lockfile, 'PyYAML')).toEqual([{ source: 'poetry.lock', version: '5.4' }]);
    const pipfile = { name: 'Pipfile.lock', text: JSON.stringify({ default: { django: { version: '==3.2.1' } } }) };
    expect(pypiLockedVersions(pipfile, 'django')).toEqual([{ source: 'Pipfile.lock default', version: '3.2.1' }]);
  });

  it('is affected on HEAD, pending once pyproject.toml is fixed but poetry.lock lags', async () => {
    const advisories = await osvAdvisories(DJANGO, 'pypi');
    const input = { manifestName: 'pyproject.toml', lockfile, packageName: 'django', advisories };
    expect(checkPypiDependency({ ...input, manifest: pyproject }).status).toBe('affected');
    const fixed = editPyproject({ text: pyproject, packageName: 'django', target: '3.2.10', lockfile });
    expect(fixed.lockfile).toBe('regenerate');
    const pending = checkPypiDependency({ ...input, manifest: fixed.files[0]!.after });
    expect(pending.status).toBe('pending');
    expect(pending.versions).toEqual([
      { source: 'pyproject.toml tool.poetry.dependencies', version: '3.2.10', affectedBy: [] },
      { source: 'poetry.lock', version: '3.2.1', affectedBy: DJANGO },
    ]);
    expect(pending.evidence).toContain('poetry.lock still pins an affected version: regenerate it and rescan');
  });

  it('is affected when only the lockfile names a vulnerable package, pending for a URL requirement', async () => {
    const advisory = await osvAdvisory(PYYAML, 'pypi');
    const lock = { name: 'poetry.lock', text: '[[package]]\nname = "PyYAML"\nversion = "5.3.1"\n' };
    const onlyLocked = checkPypiDependency({
      manifestName: 'pyproject.toml',
      manifest: '[project]\ndependencies = []\n',
      lockfile: lock,
      packageName: 'pyyaml',
      advisories: [advisory],
    });
    expect(onlyLocked.status).toBe('affected');
    const url = checkPypiDependency({
      manifestName: 'requirements.txt',
      manifest: 'pyyaml @ https://example.com/PyYAML-5.1.tar.gz\n',
      lockfile: null,
      packageName: 'pyyaml',
      advisories: [advisory],
    });
    expect(url).toMatchObject({ status: 'pending', versions: [] });
    expect(url.evidence).toContain('unread: requirements.txt line 1 "https://example.com/PyYAML-5.1.tar.gz"');
  });
});
