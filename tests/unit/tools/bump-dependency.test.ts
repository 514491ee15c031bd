import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, onTestFinished } from 'vitest';
import { type BumpDependencyOutput, bumpDependency } from '../../../tools/bump-dependency.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { fakeToolContext, git, repositoryAsset, tempRepo } from '../remediate/support.ts';

const PACKAGE_JSON =
  '{\n  "name": "shop",\n  "dependencies": {\n    "express": "^4.12.4",\n    "lodash": "4.17.4"\n  }\n}\n';
const LOCKFILE = `${JSON.stringify(
  {
    name: 'shop',
    lockfileVersion: 3,
    packages: {
      '': { name: 'shop', dependencies: { express: '^4.12.4', lodash: '4.17.4' } },
      'node_modules/lodash': { version: '4.17.4' },
      'node_modules/braces': { version: '3.0.2' },
    },
  },
  null,
  2,
)}\n`;

const args = (over: Record<string, unknown> = {}) => ({
  assetId: 'repo-shop',
  ecosystem: 'npm',
  package: 'lodash',
  targetVersion: '4.17.21',
  branch: 'mobilize/lodash-4.17.21',
  message: 'Bump lodash to 4.17.21\n\nFixes GHSA-35jh-r3h4-6jhm.',
  ...over,
});

async function run(input: Record<string, unknown>, context: Parameters<typeof bumpDependency.run>[1]) {
  const raw = await bumpDependency.run(bumpDependency.input.parse(input), context);
  return isToolFailure(raw) ? raw : bumpDependency.output.parse(raw);
}

describe('bump_dependency', () => {
  let repo: { dir: string; cleanup(): void };
  beforeEach(() => {
    repo = tempRepo({ 'package.json': PACKAGE_JSON, 'package-lock.json': LOCKFILE });
  });
  afterEach(() => repo.cleanup());
  const context = (over: Parameters<typeof fakeToolContext>[0] = {}) =>
    fakeToolContext({ assets: [repositoryAsset('repo-shop', repo.dir)], idempotencyKey: 'plan-7:step-1', ...over });

  it('is an action that modifies code, with a typed output', () => {
    expect(bumpDependency.kind).toBe('action');
    expect(bumpDependency.effects).toEqual(['modifies_code']);
    expectTypeOf<BumpDependencyOutput['commit']>().toEqualTypeOf<string | null>();
    expectTypeOf<BumpDependencyOutput['lockfile']>().toEqualTypeOf<'absent' | 'regenerate' | 'unchanged'>();
    expect(bumpDependency.inputJsonSchema()).toMatchObject({ required: expect.arrayContaining(['targetVersion']) });
  });

  it('commits the bumped manifest to a new branch and leaves the checkout alone', async () => {
    const head = git(repo.dir, 'rev-parse', 'HEAD');
    const output = await run(args(), context());
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output).toMatchObject({
      branch: 'mobilize/lodash-4.17.21',
      created: true,
      files: ['package.json'],
      direct: true,
      previousSpec: '4.17.4',
      newSpec: '4.17.21',
      lockfile: 'regenerate',
    });
    expect(output.diff).toContain('-    "lodash": "4.17.4"\n+    "lodash": "4.17.21"\n');
    expect(output.diff.startsWith('--- a/package.json\n+++ b/package.json\n@@ ')).toBe(true);
    expect(git(repo.dir, 'rev-parse', 'mobilize/lodash-4.17.21')).toBe(output.commit);
    expect(git(repo.dir, 'show', 'mobilize/lodash-4.17.21:package.json')).toBe(
      PACKAGE_JSON.replace('4.17.4', '4.17.21').trim(),
    );
    const message = git(repo.dir, 'log', '-1', '--format=%B', output.commit!);
    expect(message).toContain('npm install --package-lock-only');
    expect(message).toMatch(/Mobilize-Idempotency-Key: plan-7:step-1$/);
    expect(git(repo.dir, 'show', 'mobilize/lodash-4.17.21:package-lock.json')).toBe(LOCKFILE.trim());
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');

    const again = await run(args(), context());
    expect(again).toMatchObject({ commit: output.commit, created: false });
  });

  it('overrides a transitive package in a sub-project manifest', async () => {
    fs.mkdirSync(path.join(repo.dir, 'web'));
    fs.writeFileSync(path.join(repo.dir, 'web/package.json'), '{\n\t"name": "web"\n}\n');
    git(repo.dir, 'add', '.');
    git(repo.dir, 'commit', '-q', '-m', 'web');
    const output = await run(
      args({ package: 'braces', targetVersion: '3.0.3', manifestPath: 'web/package.json', branch: 'mobilize/braces' }),
      fakeToolContext({ assets: [repositoryAsset('repo-shop', repo.dir)], idempotencyKey: 'k', dryRun: false }),
    );
    // web/ has no lockfile and does not name braces: nothing says the package is there.
    expect(isToolFailure(output) && output.message).toMatch(/braces is neither declared in web\/package.json/);
    fs.writeFileSync(path.join(repo.dir, 'web/package-lock.json'), LOCKFILE);
    git(repo.dir, 'add', '.');
    git(repo.dir, 'commit', '-q', '-m', 'lock');
    const fixed = await run(
      args({ package: 'braces', targetVersion: '3.0.3', manifestPath: 'web/package.json', branch: 'mobilize/braces' }),
      fakeToolContext({ assets: [repositoryAsset('repo-shop', repo.dir)], idempotencyKey: 'k' }),
    );
    expect(fixed).toMatchObject({
      files: ['web/package.json'],
      direct: false,
      newSpec: '3.0.3',
      lockfile: 'regenerate',
    });
    expect(git(repo.dir, 'show', 'mobilize/braces:web/package.json')).toBe(
      '{\n\t"name": "web",\n\t"overrides": {\n\t\t"braces": "3.0.3"\n\t}\n}',
    );
  });

  it('returns the diff without committing on a dry run', async () => {
    const output = await run(args(), context({ dryRun: true, idempotencyKey: undefined }));
    expect(output).toMatchObject({ commit: null, created: false, newSpec: '4.17.21' });
    expect(isToolFailure(output) ? '' : output.diff).toContain('+    "lodash": "4.17.21"');
    expect(git(repo.dir, 'branch', '--list', 'mobilize/*')).toBe('');
  });

  it.each([
    ['a range as target', { targetVersion: '^4.17.21' }],
    ['another ecosystem', { ecosystem: 'PyPI' }],
    ['a branch outside mobilize/', { branch: 'feature/lodash' }],
    ['a manifest outside the repository', { manifestPath: '../package.json' }],
    ['a manifest that is not package.json', { manifestPath: 'package-lock.json' }],
    ['an empty message', { message: '' }],
  ])('rejects %s in the schema', (_, over) => {
    expect(bumpDependency.input.safeParse(args(over)).success).toBe(false);
  });

  it('accepts valid input and fills the default manifest path', () => {
    const parsed = bumpDependency.input.safeParse(args());
    expect(parsed.success && parsed.data.manifestPath).toBe('package.json');
  });

  it('returns tool errors with a hint for assets it cannot change', async () => {
    const plainDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-not-git-'));
    onTestFinished(() => fs.rmSync(plainDir, { recursive: true, force: true }));
    const cases: [Parameters<typeof fakeToolContext>[0], RegExp][] = [
      [{ assets: [] }, /No asset "repo-shop"/],
      [{ assets: [repositoryAsset('repo-shop', repo.dir, 'host')] }, /is a host, not a repository/],
      [{ assets: [repositoryAsset('repo-shop', undefined)] }, /has no local checkout/],
      [{ assets: [repositoryAsset('repo-shop', plainDir)] }, /is not a git work tree/],
    ];
    for (const [over, message] of cases) {
      const output = await run(args(), fakeToolContext({ idempotencyKey: 'k', ...over }));
      expect(isToolFailure(output) && output.message).toMatch(message);
    }
  });

  it('returns tool errors for a missing package, a downgrade, a no-op, no key and a taken branch', async () => {
    const failure = async (over: Record<string, unknown>, ctx = context()) => {
      const output = await run(args(over), ctx);
      return isToolFailure(output) ? output.message : 'no tool error';
    };
    expect(await failure({ package: 'left-pad' })).toMatch(/left-pad is neither declared in package.json/);
    expect(await failure({ package: 'express', targetVersion: '4.0.0' })).toMatch(/would be a downgrade/);
    expect(await failure({ package: 'lodash', targetVersion: '4.17.4' })).toMatch(/nothing to commit/);
    expect(await failure({}, context({ idempotencyKey: undefined }))).toMatch(/needs an idempotency key/);
    git(repo.dir, 'branch', 'mobilize/lodash-4.17.21');
    expect(await failure({})).toMatch(/already exists .* Choose another branch name/);
  });
});
