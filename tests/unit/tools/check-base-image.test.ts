import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { bumpBaseImage } from '../../../tools/bump-base-image.ts';
import { type CheckBaseImageOutput, checkBaseImage } from '../../../tools/check-base-image.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { NEW_DIGEST, NODE_DOCKERFILE, OLD_DIGEST } from '../remediate/docker/samples.ts';
import { fakeToolContext, git, repositoryAsset, tempRepo } from '../remediate/support.ts';

const args = (over: Record<string, unknown> = {}) => ({
  assetId: 'repo-web',
  image: 'node',
  vulnerableRefs: ['18.19.0-alpine3.18'],
  ...over,
});

describe('check_base_image', () => {
  let repo: { dir: string; cleanup(): void };
  beforeEach(() => {
    repo = tempRepo({ Dockerfile: NODE_DOCKERFILE });
  });
  afterEach(() => repo.cleanup());
  const context = () => fakeToolContext({ assets: [repositoryAsset('repo-web', repo.dir)], idempotencyKey: 'k-1' });
  const check = async (over: Record<string, unknown> = {}) => {
    const raw = await checkBaseImage.run(checkBaseImage.input.parse(args(over)), context());
    return isToolFailure(raw) ? raw : checkBaseImage.output.parse(raw);
  };
  const status = async (over: Record<string, unknown>) => {
    const output = await check(over);
    if (isToolFailure(output)) throw new Error(output.message);
    return output.status;
  };
  /** Commits a Dockerfile on a branch of the temp repo, as a person (or a bad fix) would. */
  const branchWith = (branch: string, dockerfile: string) => {
    git(repo.dir, 'checkout', '-q', '-b', branch);
    fs.writeFileSync(path.join(repo.dir, 'Dockerfile'), dockerfile);
    git(repo.dir, 'commit', '-qam', 'change');
    git(repo.dir, 'checkout', '-q', 'main');
  };

  it('is a read tool with a typed output', () => {
    expect(checkBaseImage.kind).toBe('read');
    expect(checkBaseImage.effects).toEqual([]);
    expectTypeOf<CheckBaseImageOutput['status']>().toEqualTypeOf<'resolved' | 'affected'>();
  });

  it('says affected on HEAD and resolved on the branch bump_base_image made', async () => {
    const bumped = await bumpBaseImage.run(
      bumpBaseImage.input.parse({
        assetId: 'repo-web',
        image: 'node',
        target: '20.11.1-alpine3.19',
        branch: 'mobilize/plan-8',
        message: 'Rebuild on node 20',
      }),
      context(),
    );
    if (isToolFailure(bumped)) throw new Error(bumped.message);
    const onHead = await check();
    expect(onHead).toMatchObject({ status: 'affected', ref: 'HEAD', commit: git(repo.dir, 'rev-parse', 'HEAD') });
    const onBranch = await check({ ref: 'mobilize/plan-8' });
    if (isToolFailure(onBranch)) throw new Error(onBranch.message);
    expect(onBranch).toMatchObject({ status: 'resolved', ref: 'mobilize/plan-8', commit: bumped.commit });
    expect(onBranch.froms.every((f) => !f.vulnerable)).toBe(true);
    expect(onBranch.evidence).toMatch(/^Every FROM of node is off the vulnerable refs \(18.19.0-alpine3.18\)/);
  });

  it('without vulnerable refs, takes the refs HEAD uses as the vulnerable ones', async () => {
    // A new tag that keeps the old digest is still the old image.
    const retagged = NODE_DOCKERFILE.replaceAll('18.19.0-alpine3.18', '20.11.1-alpine3.19');
    branchWith('mobilize/retagged', retagged);
    expect(await status({ ref: 'mobilize/retagged', vulnerableRefs: [] })).toBe('affected');
    branchWith('mobilize/plan-9', retagged.replace(OLD_DIGEST, NEW_DIGEST));
    const output = await check({ ref: 'mobilize/plan-9', vulnerableRefs: [] });
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output.status).toBe('resolved');
    expect(output.vulnerableRefs).toEqual(['18.19.0-alpine3.18', `18.19.0-alpine3.18@${OLD_DIGEST}`]);
    expect(output.evidence).toContain('No vulnerable refs were given: the refs HEAD uses (18.19.0-alpine3.18, ');
    expect(await status({ vulnerableRefs: [] })).toBe('affected');
  });

  it('stays affected when a fix moved only one stage', async () => {
    branchWith(
      'mobilize/partial',
      NODE_DOCKERFILE.replace('FROM node:18.19.0-alpine3.18 AS build', 'FROM node:20.11.1-alpine3.19 AS build'),
    );
    const output = await check({ ref: 'mobilize/partial' });
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output.status).toBe('affected');
    expect(output.froms.filter((f) => f.vulnerable).map((f) => f.line)).toEqual([4, 19]);
  });

  it.each([
    ['a ref with ..', { ref: 'main..x' }],
    ['an image with a tag', { image: 'node:18' }],
    ['a path outside the repository', { dockerfilePath: '/etc/Dockerfile' }],
  ])('rejects %s in the schema', (_, over) => {
    expect(checkBaseImage.input.safeParse(args(over)).success).toBe(false);
  });

  it('returns tool errors for an unknown ref, a missing file, an unused image and a non-repository asset', async () => {
    const message = async (over: Record<string, unknown>) => {
      const output = await check(over);
      return isToolFailure(output) ? output.message : 'no tool error';
    };
    expect(await message({ ref: 'mobilize/nope' })).toMatch(/"mobilize\/nope" names no commit in "repo-web"/);
    expect(await message({ dockerfilePath: 'web/Dockerfile' })).toMatch(/^No web\/Dockerfile at HEAD/);
    expect(await message({ image: 'python' })).toMatch(/^No FROM of Dockerfile uses python at HEAD or HEAD/);
    const raw = await checkBaseImage.run(
      checkBaseImage.input.parse(args()),
      fakeToolContext({ assets: [repositoryAsset('repo-web', repo.dir, 'host')] }),
    );
    expect(isToolFailure(raw) && raw.message).toMatch(/is a host, not a repository/);
  });
});
