import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { Advisory } from '../../../src/domain/advisory.ts';
import { bumpDependency } from '../../../tools/bump-dependency.ts';
import { type CheckDependencyOutput, checkDependency } from '../../../tools/check-dependency.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { hasSharedFixtures } from '../../helpers/fixtures.ts';
import {
  fakeToolContext,
  GO_ADVISORIES,
  git,
  osvAdvisories,
  osvAdvisory,
  repositoryAsset,
  sharedManifest,
  tempRepo,
} from '../remediate/support.ts';

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
    ['an ecosystem spelled as OSV does', { ecosystem: 'Maven' }],
    ['an unsupported ecosystem', { ecosystem: 'nuget' }],
    ['a go package that is not a module path', { ecosystem: 'go', package: 'net/http' }],
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

describe.skipIf(!hasSharedFixtures)('check_dependency for pypi, maven and go', () => {
  let repo: { dir: string; cleanup(): void };
  afterEach(() => repo?.cleanup());
  const context = (advisories: Advisory[], over: Parameters<typeof fakeToolContext>[0] = {}) =>
    fakeToolContext({ assets: [repositoryAsset('repo-shop', repo.dir)], advisories, ...over });
  const check = async (input: Record<string, unknown>, advisories: Advisory[]) => {
    const raw = await checkDependency.run(
      checkDependency.input.parse({ assetId: 'repo-shop', ...input }),
      context(advisories),
    );
    return isToolFailure(raw) ? raw : checkDependency.output.parse(raw);
  };
  const bump = async (input: Record<string, unknown>, advisories: Advisory[]) => {
    const raw = await bumpDependency.run(
      bumpDependency.input.parse({ assetId: 'repo-shop', message: 'Fix', ...input }),
      context(advisories, { idempotencyKey: `key-${String(input.branch)}` }),
    );
    if (isToolFailure(raw)) throw new Error(raw.message);
    return raw;
  };

  it('pypi: pygoat PyYAML is affected on HEAD, resolved on the fix branch, affected on a wrong one', async () => {
    repo = tempRepo({ 'requirements.txt': sharedManifest('pygoat', 'requirements.txt') });
    const advisories = [await osvAdvisory('GHSA-8q59-q68h-6hv4', 'pypi')];
    const base = { ecosystem: 'pypi', package: 'PyYAML', advisoryIds: ['CVE-2020-14343'] };
    expect(await check(base, advisories)).toMatchObject({
      status: 'affected',
      versions: [{ source: 'requirements.txt line 27', version: '5.1', affectedBy: ['GHSA-8q59-q68h-6hv4'] }],
    });
    const fixed = await bump({ ...base, targetVersion: '5.4', branch: 'mobilize/pyyaml' }, advisories);
    expect(await check({ ...base, ref: 'mobilize/pyyaml' }, advisories)).toMatchObject({
      status: 'resolved',
      commit: fixed.commit,
      versions: [{ version: '5.4', affectedBy: [] }],
    });
    await bump({ ...base, targetVersion: '5.3.1', branch: 'mobilize/wrong' }, advisories);
    expect(await check({ ...base, ref: 'mobilize/wrong' }, advisories)).toMatchObject({ status: 'affected' });
  });

  it('maven: log4j-core is affected on HEAD, resolved on the branch; a transitive one is a tool error', async () => {
    repo = tempRepo({ 'pom.xml': sharedManifest('java-goof-log4shell-server', 'pom.xml') });
    const advisories = await osvAdvisories(['GHSA-jfh8-c2jp-5v3q', 'GHSA-7rjr-3q55-vv33'], 'maven');
    const base = {
      ecosystem: 'maven',
      package: 'org.apache.logging.log4j:log4j-core',
      advisoryIds: ['CVE-2021-44228', 'CVE-2021-45046'],
    };
    expect(await check(base, advisories)).toMatchObject({
      status: 'affected',
      versions: [{ source: 'pom.xml dependencies', version: '2.15.0', affectedBy: ['GHSA-7rjr-3q55-vv33'] }],
    });
    await bump({ ...base, targetVersion: '2.16.0', branch: 'mobilize/log4j' }, advisories);
    expect(await check({ ...base, ref: 'mobilize/log4j' }, advisories)).toMatchObject({ status: 'resolved' });
    const text = await check({ ...base, package: 'org.apache.commons:commons-text' }, advisories);
    expect(isToolFailure(text) && text.message).toMatch(
      /commons-text is not declared in pom.xml at HEAD\. .*once bump_dependency pins it in dependencyManagement/,
    );
  });

  it('go: golang.org/x/net is affected on HEAD and resolved on the branch', async () => {
    repo = tempRepo({ 'go.mod': 'module example.com/shop\n\ngo 1.21\n\nrequire golang.org/x/net v0.7.0\n' });
    const base = { ecosystem: 'go', package: 'golang.org/x/net', advisoryIds: ['GO-2022-0969', 'CVE-2023-39325'] };
    expect(await check(base, GO_ADVISORIES)).toMatchObject({
      status: 'affected',
      versions: [{ source: 'go.mod require', version: 'v0.7.0', affectedBy: ['GO-2023-2102'] }],
    });
    await bump({ ...base, targetVersion: 'v0.17.0', branch: 'mobilize/net' }, GO_ADVISORIES);
    expect(await check({ ...base, ref: 'mobilize/net' }, GO_ADVISORIES)).toMatchObject({
      status: 'resolved',
      evidence:
        'golang.org/x/net: no version affected by GO-2022-0969, GO-2023-2102 remains; found go.mod require v0.17.0.',
    });
  });
});
