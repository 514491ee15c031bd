import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, onTestFinished } from 'vitest';
import { type BumpBaseImageOutput, bumpBaseImage } from '../../../tools/bump-base-image.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { NEW_DIGEST, NODE_DOCKERFILE, OLD_DIGEST, PYTHON_DOCKERFILE } from '../remediate/docker/samples.ts';
import { fakeToolContext, git, repositoryAsset, tempRepo } from '../remediate/support.ts';

const args = (over: Record<string, unknown> = {}) => ({
  assetId: 'repo-web',
  image: 'node',
  target: '20.11.1-alpine3.19',
  branch: 'mobilize/plan-7',
  message: 'Rebuild on node:20.11.1-alpine3.19\n\nFixes CVE-2024-0727 in img-web.',
  ...over,
});

async function run(input: Record<string, unknown>, context: Parameters<typeof bumpBaseImage.run>[1]) {
  const raw = await bumpBaseImage.run(bumpBaseImage.input.parse(input), context);
  return isToolFailure(raw) ? raw : bumpBaseImage.output.parse(raw);
}

const BUMPED = NODE_DOCKERFILE.replace(
  'FROM --platform=$BUILDPLATFORM node:18.19.0-alpine3.18 AS deps',
  'FROM --platform=$BUILDPLATFORM node:20.11.1-alpine3.19 AS deps',
)
  .replace('FROM node:18.19.0-alpine3.18 AS build', 'FROM node:20.11.1-alpine3.19 AS build')
  .replace(
    `FROM docker.io/library/node:18.19.0-alpine3.18@${OLD_DIGEST} AS runtime`,
    'FROM docker.io/library/node:20.11.1-alpine3.19 AS runtime',
  );

describe('bump_base_image', () => {
  let repo: { dir: string; cleanup(): void };
  beforeEach(() => {
    repo = tempRepo({ Dockerfile: NODE_DOCKERFILE, 'services/worker/Dockerfile': PYTHON_DOCKERFILE });
  });
  afterEach(() => repo.cleanup());
  const context = (over: Parameters<typeof fakeToolContext>[0] = {}) =>
    fakeToolContext({ assets: [repositoryAsset('repo-web', repo.dir)], idempotencyKey: 'plan-7:step-2', ...over });

  it('is an action that modifies code, with a typed output', () => {
    expect(bumpBaseImage.kind).toBe('action');
    expect(bumpBaseImage.effects).toEqual(['modifies_code']);
    expectTypeOf<BumpBaseImageOutput['commit']>().toEqualTypeOf<string | null>();
    expectTypeOf<BumpBaseImageOutput['changed'][number]>().toEqualTypeOf<{ line: number; from: string; to: string }>();
    expect(bumpBaseImage.inputJsonSchema()).toMatchObject({
      required: expect.arrayContaining(['assetId', 'image', 'target', 'branch', 'message']),
    });
  });

  it('commits every FROM of the image to a new branch and leaves the checkout alone; a rerun returns the same commit', async () => {
    const head = git(repo.dir, 'rev-parse', 'HEAD');
    const output = await run(args(), context());
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output).toMatchObject({ branch: 'mobilize/plan-7', created: true, files: ['Dockerfile'], skipped: [] });
    expect(output.changed.map((c) => c.line)).toEqual([4, 9, 19]);
    expect(output.diff).toContain('-FROM node:18.19.0-alpine3.18 AS build\n+FROM node:20.11.1-alpine3.19 AS build\n');
    expect(output.diff.startsWith('--- a/Dockerfile\n+++ b/Dockerfile\n@@ ')).toBe(true);
    expect(git(repo.dir, 'rev-parse', 'mobilize/plan-7')).toBe(output.commit);
    expect(`${git(repo.dir, 'show', 'mobilize/plan-7:Dockerfile')}\n`).toBe(BUMPED);
    expect(git(repo.dir, 'log', '-1', '--format=%B', output.commit!)).toMatch(
      /^Rebuild on node:20.11.1-alpine3.19\n\nFixes CVE-2024-0727 in img-web.\n\nMobilize-Idempotency-Key: plan-7:step-2$/,
    );
    // The working copy: same branch, same commit, nothing modified.
    expect(git(repo.dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo.dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(repo.dir, 'status', '--porcelain')).toBe('');
    expect(fs.readFileSync(path.join(repo.dir, 'Dockerfile'), 'utf8')).toBe(NODE_DOCKERFILE);

    const again = await run(args(), context());
    expect(again).toMatchObject({ commit: output.commit, created: false });
  });

  it('changes a Dockerfile in a sub-directory and reports the FROMs built from ARGs', async () => {
    const output = await run(
      args({
        dockerfilePath: 'services/worker/Dockerfile',
        image: 'python',
        target: `3.11.9-slim-bookworm@${NEW_DIGEST}`,
      }),
      context(),
    );
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output.files).toEqual(['services/worker/Dockerfile']);
    expect(output.skipped.map((s) => s.line)).toEqual([4, 10]);
    expect(`${git(repo.dir, 'show', 'mobilize/plan-7:services/worker/Dockerfile')}\n`).toBe(
      PYTHON_DOCKERFILE.replace(
        'FROM python:3.11.4-slim-bookworm as tools',
        `FROM python:3.11.9-slim-bookworm@${NEW_DIGEST} as tools`,
      ),
    );
    expect(git(repo.dir, 'show', 'mobilize/plan-7:Dockerfile')).toBe(NODE_DOCKERFILE.trimEnd());
  });

  it('returns the diff without committing on a dry run', async () => {
    const output = await run(args(), context({ dryRun: true, idempotencyKey: undefined }));
    expect(output).toMatchObject({ commit: null, created: false, files: ['Dockerfile'] });
    expect(isToolFailure(output) ? '' : output.diff).toContain(
      '+FROM docker.io/library/node:20.11.1-alpine3.19 AS runtime',
    );
    expect(git(repo.dir, 'branch', '--list', 'mobilize/*')).toBe('');
  });

  it.each([
    ['an image with its tag', { image: 'node:18' }],
    ['a target with the repository', { target: 'node:20' }],
    ['a short digest', { target: '@sha256:abc' }],
    ['a branch outside mobilize/', { branch: 'feature/node-20' }],
    ['a path outside the repository', { dockerfilePath: '../Dockerfile' }],
    ['a file that is not a Dockerfile', { dockerfilePath: 'package.json' }],
    ['an empty message', { message: '' }],
  ])('rejects %s in the schema', (_, over) => {
    expect(bumpBaseImage.input.safeParse(args(over)).success).toBe(false);
  });

  it('accepts valid input and fills the default Dockerfile path', () => {
    const parsed = bumpBaseImage.input.safeParse(args({ target: `20.11.1@${NEW_DIGEST}` }));
    expect(parsed.success && parsed.data.dockerfilePath).toBe('Dockerfile');
  });

  it('returns tool errors with a hint for assets it cannot change', async () => {
    const plainDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-not-git-'));
    onTestFinished(() => fs.rmSync(plainDir, { recursive: true, force: true }));
    const cases: [Parameters<typeof fakeToolContext>[0], RegExp][] = [
      [{ assets: [] }, /No asset "repo-web"/],
      [
        { assets: [repositoryAsset('repo-web', repo.dir, 'container_image')] },
        /is a container_image, not a repository/,
      ],
      [{ assets: [repositoryAsset('repo-web', undefined)] }, /has no local checkout/],
      [{ assets: [repositoryAsset('repo-web', plainDir)] }, /is not a git work tree/],
    ];
    for (const [over, message] of cases) {
      const output = await run(args(), fakeToolContext({ idempotencyKey: 'k', ...over }));
      expect(isToolFailure(output) && output.message).toMatch(message);
    }
  });

  it('returns tool errors for a missing file, an unused image, a no-op, ARG-only FROMs, no key and a taken branch', async () => {
    const failure = async (over: Record<string, unknown>, ctx = context()) => {
      const output = await run(args(over), ctx);
      return isToolFailure(output) ? output.message : 'no tool error';
    };
    expect(await failure({ dockerfilePath: 'api/Dockerfile' })).toMatch(/^No api\/Dockerfile at HEAD of "repo-web"/);
    expect(await failure({ image: 'python' })).toBe(
      'Cannot change Dockerfile: no FROM uses python (the Dockerfile builds on node:18.19.0-alpine3.18, ' +
        `node:18.19.0-alpine3.18, docker.io/library/node:18.19.0-alpine3.18@${OLD_DIGEST}). Check the image and the target.`,
    );
    fs.writeFileSync(path.join(repo.dir, 'Dockerfile'), BUMPED);
    git(repo.dir, 'commit', '-qam', 'bumped by hand');
    expect(await failure({})).toMatch(/already uses 20.11.1-alpine3.19; nothing to commit/);
    fs.writeFileSync(path.join(repo.dir, 'Dockerfile'), `ARG BASE=node:18\nFROM \${BASE}\n`);
    git(repo.dir, 'commit', '-qam', 'arg');
    expect(await failure({})).toMatch(
      /No FROM of node in Dockerfile can be changed here \(line 2 \$\{BASE\}: built from ARG/,
    );
    git(repo.dir, 'reset', '-q', '--hard', 'HEAD~2');
    expect(await failure({}, context({ idempotencyKey: undefined }))).toMatch(/needs an idempotency key/);
    git(repo.dir, 'branch', 'mobilize/plan-7');
    expect(await failure({})).toMatch(/already exists .* Choose another branch name/);
  });
});
