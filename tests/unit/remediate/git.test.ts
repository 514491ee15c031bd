import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.ts';
import {
  assertBranchName,
  BranchConflictError,
  branchExists,
  commitToBranch,
  isSafeRelativePath,
  readFileAt,
  resolveCommit,
} from '../../../src/remediate/git.ts';
import { git, tempRepo } from './support.ts';

const TIMEOUT = 20_000;
const PACKAGE_JSON = '{\n  "name": "demo",\n  "dependencies": {\n    "lodash": "4.17.4"\n  }\n}\n';
const BUMPED = PACKAGE_JSON.replace('4.17.4', '4.17.21');

describe('commitToBranch', () => {
  let repo: { dir: string; cleanup(): void };
  beforeEach(() => {
    repo = tempRepo({ 'package.json': PACKAGE_JSON, 'web/package.json': PACKAGE_JSON });
  });
  afterEach(() => repo.cleanup());

  const commit = (key: string, branch = 'mobilize/lodash-4.17.21') =>
    commitToBranch({
      repoDir: repo.dir,
      branch,
      files: [{ path: 'package.json', content: BUMPED }],
      message: 'Bump lodash to 4.17.21',
      idempotencyKey: key,
      timeoutMs: TIMEOUT,
    });

  it('commits on a new branch without touching the checkout, its index or uncommitted work', async () => {
    // Given a checkout on main with an uncommitted edit and an untracked file
    fs.writeFileSync(path.join(repo.dir, 'web/package.json'), '{ "dirty": true }\n');
    fs.writeFileSync(path.join(repo.dir, 'notes.txt'), 'mine\n');
    const head = git(repo.dir, 'rev-parse', 'HEAD');
    const statusBefore = git(repo.dir, 'status', '--porcelain');

    // When
    const result = await commit('plan-1:step-1');

    // Then the branch holds the change on top of HEAD, with the trailer and the default author
    expect(result).toMatchObject({ branch: 'mobilize/lodash-4.17.21', created: true });
    expect(git(repo.dir, 'rev-parse', 'mobilize/lodash-4.17.21')).toBe(result.commit);
    expect(git(repo.dir, 'rev-parse', `${result.commit}^`)).toBe(head);
    expect(git(repo.dir, 'show', `${result.commit}:package.json`)).toBe(BUMPED.trim());
    expect(git(repo.dir, 'show', `${result.commit}:web/package.json`)).toBe(PACKAGE_JSON.trim());
    expect(git(repo.dir, 'log', '-1', '--format=%an <%ae>%n%B', result.commit)).toBe(
      'Mobilize <mobilize@localhost>\nBump lodash to 4.17.21\n\nMobilize-Idempotency-Key: plan-1:step-1',
    );
    expect(git(repo.dir, 'diff', '--name-only', head, result.commit)).toBe('package.json');
    // and the working copy is exactly as it was
    expect(git(repo.dir, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo.dir, 'status', '--porcelain')).toBe(statusBefore);
    expect(fs.readFileSync(path.join(repo.dir, 'package.json'), 'utf8')).toBe(PACKAGE_JSON);
    expect(fs.readFileSync(path.join(repo.dir, 'web/package.json'), 'utf8')).toBe('{ "dirty": true }\n');
  });

  it('returns the same commit for the same key and refuses another key', async () => {
    const first = await commit('plan-1:step-1');
    const again = await commit('plan-1:step-1');
    expect(again).toEqual({ branch: first.branch, commit: first.commit, created: false });
    const error = await commit('plan-2:step-1').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(BranchConflictError);
    expect((error as BranchConflictError).code).toBe('BRANCH_CONFLICT');
    expect((error as Error).message).toContain('key plan-1:step-1');
    expect(git(repo.dir, 'rev-parse', 'mobilize/lodash-4.17.21')).toBe(first.commit);
  });

  it('refuses a branch someone else made', async () => {
    git(repo.dir, 'branch', 'mobilize/taken');
    await expect(commit('k', 'mobilize/taken')).rejects.toThrow(/made by someone else/);
  });

  it('validates branch names and paths before running git', async () => {
    await expect(commit('k', 'feature/x')).rejects.toBeInstanceOf(ValidationError);
    await expect(commit('k', 'mobilize/a..b')).rejects.toBeInstanceOf(ValidationError);
    await expect(
      commitToBranch({
        repoDir: repo.dir,
        branch: 'mobilize/x',
        files: [{ path: '../escape.json', content: '{}' }],
        message: 'm',
        idempotencyKey: 'k',
        timeoutMs: TIMEOUT,
      }),
    ).rejects.toThrow(/relative path inside the repository/);
    await expect(commit('two\nlines')).rejects.toThrow(/one non-empty line/);
    expect(await branchExists(repo.dir, 'mobilize/x', TIMEOUT)).toBe(false);
  });
});

describe('reading a repository', () => {
  let repo: { dir: string; cleanup(): void };
  beforeEach(() => {
    repo = tempRepo({ 'package.json': PACKAGE_JSON });
  });
  afterEach(() => repo.cleanup());

  it('reads a file at a ref, null when the ref has no such file', async () => {
    expect(await readFileAt(repo.dir, 'HEAD', 'package.json', TIMEOUT)).toBe(PACKAGE_JSON);
    expect(await readFileAt(repo.dir, 'main', 'package-lock.json', TIMEOUT)).toBeNull();
    await expect(readFileAt(repo.dir, 'nope', 'package.json', TIMEOUT)).rejects.toThrow(/names no commit/);
    await expect(readFileAt(repo.dir, '--output=x', 'package.json', TIMEOUT)).rejects.toBeInstanceOf(ValidationError);
  });

  it('resolves refs and tells whether branches exist', async () => {
    expect(await resolveCommit(repo.dir, 'main', TIMEOUT)).toBe(git(repo.dir, 'rev-parse', 'HEAD'));
    expect(await resolveCommit(repo.dir, 'mobilize/none', TIMEOUT)).toBeNull();
    git(repo.dir, 'branch', 'mobilize/there');
    expect(await branchExists(repo.dir, 'mobilize/there', TIMEOUT)).toBe(true);
    expect(await branchExists(repo.dir, 'mobilize/absent', TIMEOUT)).toBe(false);
  });
});

describe('name and path checks', () => {
  it.each([['mobilize/lodash-4.17.21'], ['mobilize/a_b.c']])('accepts %s', (branch) => {
    expect(() => assertBranchName(branch)).not.toThrow();
  });
  it.each([['main'], ['mobilize/'], ['mobilize/a/b'], ['mobilize/x.lock'], ['mobilize/-x y']])(
    'refuses %s',
    (branch) => {
      expect(() => assertBranchName(branch)).toThrow(ValidationError);
    },
  );
  it('accepts only relative paths inside the repository', () => {
    expect(isSafeRelativePath('web/package.json')).toBe(true);
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a//b', './x', '.git/config', 'C:\\x', '']) {
      expect(isSafeRelativePath(bad), bad).toBe(false);
    }
  });
});
