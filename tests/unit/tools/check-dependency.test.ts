import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { Advisory } from '../../../src/domain/advisory.ts';
import { bumpDependency } from '../../../tools/bump-dependency.ts';
import { type CheckDependencyOutput, checkDependency } from '../../../tools/check-dependency.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { hasSharedFixtures } from '../../helpers/fixtures.ts';
import { fakeToolContext, git, osvAdvisory, repositoryAsset, tempRepo } from '../remediate/support.ts';

const LODASH = 'GHSA-35jh-r3h4-6jhm';
const PACKAGE_JSON = '{\n  "name": "shop",\n  "dependencies": {\n    "lodash": "^4.17.4"\n  }\n}\n';

const args = (over: Record<string, unknown> = {}) => ({
  assetId: 'repo-shop',
  ecosystem: 'npm',
  package: 'lodash',
  ref: 'HEAD',
  advisoryIds: [LODASH],
  ...over,
});

describe('check_dependency input', () => {
  it('is a read tool with a typed output', () => {
    expect(checkDependency.kind).toBe('read');
    expect(checkDependency.effects).toEqual([]);
    expectTypeOf<CheckDependencyOutput['status']>().toEqualTypeOf<'resolved' | 'affected' | 'pending'>();
    expectTypeOf<CheckDependencyOutput['commit']>().toEqualTypeOf<string>();
  });

  it('accepts valid input with defaults', () => {
    const parsed = checkDependency.input.safeParse(args({ ref: undefined }));
    expect(parsed.success && [parsed.data.ref, parsed.data.manifestPath]).toEqual(['HEAD', 'package.json']);
  });

  it.each([
    ['no advisory', { advisoryIds: [] }],
    ['a ref git could read as an option', { ref: '--output=/tmp/x' }],
    ['a ref walking a range', { ref: 'main..evil' }],
    ['another ecosystem', { ecosystem: 'Maven' }],
    ['an absolute manifest path', { manifestPath: '/etc/package.json' }],
  ])('rejects %s in the schema', (_, over) => {
    expect(checkDependency.input.safeParse(args(over)).success).toBe(false);
  });
});

describe.skipIf(!hasSharedFixtures)('check_dependency on a repository', () => {
  let repo: { dir: string; cleanup(): void };
  let advisory: Advisory;
  beforeEach(async () => {
    repo = tempRepo({ 'package.json': PACKAGE_JSON });
    advisory = await osvAdvisory(LODASH);
  });
  afterEach(() => repo.cleanup());
  const context = (over: Parameters<typeof fakeToolContext>[0] = {}) =>
    fakeToolContext({ assets: [repositoryAsset('repo-shop', repo.dir)], advisories: [advisory], ...over });
  const check = async (over: Record<string, unknown> = {}, ctx = context()) => {
    const raw = await checkDependency.run(checkDependency.input.parse(args(over)), ctx);
    return isToolFailure(raw) ? raw : checkDependency.output.parse(raw);
  };
  const bump = async (branch: string) => {
    const raw = await bumpDependency.run(
      bumpDependency.input.parse({
        assetId: 'repo-shop',
        ecosystem: 'npm',
        package: 'lodash',
        targetVersion: '4.17.21',
        branch,
        message: `Bump lodash to 4.17.21 (${LODASH})`,
      }),
      context({ idempotencyKey: `key-${branch}` }),
    );
    if (isToolFailure(raw)) throw new Error(raw.message);
    return raw;
  };

  it('is affected on HEAD and resolved on the branch bump_dependency made', async () => {
    const bumped = await bump('mobilize/lodash');
    const onHead = await check();
    expect(onHead).toMatchObject({
      status: 'affected',
      ref: 'HEAD',
      commit: git(repo.dir, 'rev-parse', 'HEAD'),
      versions: [{ source: 'package.json dependencies', version: '4.17.4', affectedBy: [LODASH] }],
    });
    const onBranch = await check({ ref: 'mobilize/lodash' });
    expect(onBranch).toEqual({
      status: 'resolved',
      ref: 'mobilize/lodash',
      commit: bumped.commit,
      versions: [{ source: 'package.json dependencies', version: '4.17.21', affectedBy: [] }],
      evidence: `lodash: no version affected by ${LODASH} remains; found package.json dependencies 4.17.21.`,
    });
  });

  it('is pending on the branch while the committed lockfile still pins the old copy', async () => {
    const lock = { lockfileVersion: 3, packages: { 'node_modules/lodash': { version: '4.17.4' } } };
    repo.cleanup();
    repo = tempRepo({ 'package.json': PACKAGE_JSON, 'package-lock.json': JSON.stringify(lock) });
    await bump('mobilize/lodash');
    const output = await check({ ref: 'mobilize/lodash' });
    expect(output).toMatchObject({ status: 'pending' });
    expect(isToolFailure(output) ? [] : output.versions.map((v) => v.source)).toEqual([
      'package.json dependencies',
      'package-lock.json node_modules/lodash',
    ]);
  });

  it('finds an advisory by alias', async () => {
    const alias = advisory.aliases[0]!;
    expect(await check({ advisoryIds: [alias] })).toMatchObject({ status: 'affected' });
  });

  it('returns tool errors for an unknown advisory, ref, package or asset', async () => {
    const message = async (over: Record<string, unknown>, ctx = context()) => {
      const output = await check(over, ctx);
      return isToolFailure(output) ? output.message : 'no tool error';
    };
    expect(await message({ advisoryIds: [LODASH, 'GHSA-xxxx-xxxx-xxxx'] })).toMatch(
      /No advisory "GHSA-xxxx-xxxx-xxxx"/,
    );
    expect(await message({ ref: 'mobilize/none' })).toMatch(/"mobilize\/none" names no commit/);
    expect(await message({ package: 'left-pad' })).toMatch(/left-pad is neither declared/);
    expect(await message({ manifestPath: 'web/package.json' })).toMatch(/No web\/package.json at HEAD/);
    expect(await message({}, context({ assets: [repositoryAsset('repo-shop', repo.dir, 'container_image')] }))).toMatch(
      /is a container_image, not a repository/,
    );
  });
});
