import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, onTestFinished } from 'vitest';
import { type BumpDependencyOutput, bumpDependency } from '../../../tools/bump-dependency.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { hasSharedFixtures } from '../../helpers/fixtures.ts';
import { fakeToolContext, git, repositoryAsset, sharedManifest, tempRepo } from '../remediate/support.ts';

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

describe.skipIf(!hasSharedFixtures)('bump_dependency for pypi, maven and go', () => {
  let repo: { dir: string; cleanup(): void };
  afterEach(() => repo?.cleanup());
  const bump = async (over: Record<string, unknown>, options: Parameters<typeof fakeToolContext>[0] = {}) =>
    run(
      { assetId: 'repo-shop', message: 'Fix advisories', ...over },
      fakeToolContext({
        assets: [repositoryAsset('repo-shop', repo.dir)],
        idempotencyKey: 'plan-9:step-1',
        ...options,
      }),
    );

  it('pypi: bumps the pygoat PyYAML pin in requirements.txt; a re-run returns the same commit', async () => {
    const requirements = sharedManifest('pygoat', 'requirements.txt');
    repo = tempRepo({ 'requirements.txt': requirements });
    const args = { ecosystem: 'pypi', package: 'pyyaml', targetVersion: '5.4', branch: 'mobilize/pyyaml-5.4' };
    const output = await bump(args);
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output).toMatchObject({
      created: true,
      files: ['requirements.txt'],
      direct: true,
      previousSpec: '==5.1',
      newSpec: '==5.4',
      lockfile: 'absent',
      section: 'requirements.txt',
    });
    expect(output.diff).toBe(
      '--- a/requirements.txt\n+++ b/requirements.txt\n@@ -24,7 +24,7 @@\n PyJWT==2.4.0\n python3-openid==3.2.0\n' +
        ' pytz==2020.1\n-PyYAML==5.1\n+PyYAML==5.4\n requests==2.28.2\n requests-oauthlib==1.3.1\n sqlparse==0.3.1\n',
    );
    expect(`${git(repo.dir, 'show', 'mobilize/pyyaml-5.4:requirements.txt')}\n`).toBe(
      requirements.replace('PyYAML==5.1', 'PyYAML==5.4'),
    );
    expect(await bump(args)).toMatchObject({ commit: output.commit, created: false });
    expect(await bump({ ...args, targetVersion: '5.1', branch: 'mobilize/other' })).toMatchObject({
      message: expect.stringMatching(/nothing to commit/),
    });
    expect(await bump({ ...args, targetVersion: '5.0', branch: 'mobilize/other' })).toMatchObject({
      message: expect.stringMatching(/would be a downgrade/),
    });
  });

  it('pypi: bumps pyproject.toml and asks for the poetry.lock to be regenerated', async () => {
    const pyproject = '[tool.poetry.dependencies]\npython = "^3.8"\ndjango = "^3.2.1"\n';
    repo = tempRepo({
      'api/pyproject.toml': pyproject,
      'api/poetry.lock': '[[package]]\nname = "django"\nversion = "3.2.1"\n',
    });
    const output = await bump({
      ecosystem: 'pypi',
      package: 'Django',
      targetVersion: '3.2.10',
      manifestPath: 'api/pyproject.toml',
      branch: 'mobilize/django',
    });
    expect(output).toMatchObject({ files: ['api/pyproject.toml'], newSpec: '^3.2.10', lockfile: 'regenerate' });
    expect(isToolFailure(output) ? '' : output.diff).toContain('-django = "^3.2.1"\n+django = "^3.2.10"\n');
    const message = git(repo.dir, 'log', '-1', '--format=%B', 'mobilize/django');
    expect(message).toContain('poetry.lock records the old constraint and was not edited');
    expect(message).toContain('poetry lock --no-update');
  });

  it('maven: moves java-goof log4j-core to 2.16.0; a re-run returns the same commit', async () => {
    const pom = sharedManifest('java-goof-log4shell-server', 'pom.xml');
    repo = tempRepo({ 'server/pom.xml': pom });
    const args = {
      ecosystem: 'maven',
      package: 'org.apache.logging.log4j:log4j-core',
      targetVersion: '2.16.0',
      manifestPath: 'server/pom.xml',
      branch: 'mobilize/log4j-2.16.0',
    };
    const output = await bump(args);
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output).toMatchObject({
      files: ['server/pom.xml'],
      direct: true,
      previousSpec: '2.15.0',
      newSpec: '2.16.0',
      lockfile: 'absent',
      section: 'dependencies',
      notes: [],
    });
    expect(output.diff).toBe(
      '--- a/server/pom.xml\n+++ b/server/pom.xml\n@@ -20,7 +20,7 @@\n     <dependency>\n' +
        '       <groupId>org.apache.logging.log4j</groupId>\n       <artifactId>log4j-core</artifactId>\n' +
        '-      <version>2.15.0</version>\n+      <version>2.16.0</version>\n     </dependency>\n     <dependency>\n' +
        '       <groupId>com.unboundid</groupId>\n',
    );
    expect(await bump(args)).toMatchObject({ commit: output.commit, created: false });
    const transitive = await bump({
      ...args,
      package: 'org.apache.commons:commons-text',
      targetVersion: '1.10.0',
      branch: 'mobilize/text',
    });
    expect(transitive).toMatchObject({ direct: false, section: 'dependencyManagement' });
    expect(isToolFailure(transitive) ? '' : transitive.diff).toContain(
      '+        <artifactId>commons-text</artifactId>\n',
    );
  });

  it('go: raises golang.org/x/net in go.mod and asks for go mod tidy; a re-run returns the same commit', async () => {
    const goMod = 'module example.com/shop\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.7.0 // indirect\n)\n';
    repo = tempRepo({
      'go.mod': goMod,
      'go.sum': 'golang.org/x/net v0.7.0 h1:x=\ngolang.org/x/net v0.7.0/go.mod h1:y=\n',
    });
    const args = { ecosystem: 'go', package: 'golang.org/x/net', targetVersion: '0.17.0', branch: 'mobilize/x-net' };
    const output = await bump(args);
    if (isToolFailure(output)) throw new Error(output.message);
    expect(output).toMatchObject({
      files: ['go.mod'],
      direct: false,
      previousSpec: 'v0.7.0',
      newSpec: 'v0.17.0',
      lockfile: 'regenerate',
    });
    expect(output.diff).toBe(
      '--- a/go.mod\n+++ b/go.mod\n@@ -3,5 +3,5 @@\n go 1.21\n \n require (\n' +
        '-\tgolang.org/x/net v0.7.0 // indirect\n+\tgolang.org/x/net v0.17.0 // indirect\n )\n',
    );
    expect(git(repo.dir, 'log', '-1', '--format=%B', 'mobilize/x-net')).toContain('run `go mod tidy` before merging');
    expect(await bump(args)).toMatchObject({ commit: output.commit, created: false });
    expect(await bump({ ...args, package: 'golang.org/x/crypto', branch: 'mobilize/typo' })).toMatchObject({
      message:
        'golang.org/x/crypto is neither declared in go.mod nor installed per go.sum. ' +
        'Check the package name and the manifestPath.',
    });
  });

  it.each([
    ['a pypi range as target', { ecosystem: 'pypi', package: 'django', targetVersion: '>=3.2.10' }],
    ['a maven property as target', { ecosystem: 'maven', package: 'g:a', targetVersion: `\${x}` }],
    ['a maven package without groupId', { ecosystem: 'maven', package: 'log4j-core', targetVersion: '2.17.1' }],
    ['a go version without patch', { ecosystem: 'go', package: 'golang.org/x/net', targetVersion: '0.17' }],
    ['a pom.xml for pypi', { ecosystem: 'pypi', package: 'django', targetVersion: '3.2.10', manifestPath: 'pom.xml' }],
    [
      'a package.json for go',
      { ecosystem: 'go', package: 'golang.org/x/net', targetVersion: '0.17.0', manifestPath: 'package.json' },
    ],
  ])('rejects %s in the schema', (_, over) => {
    expect(bumpDependency.input.safeParse(args({ branch: 'mobilize/x', ...over })).success).toBe(false);
  });

  it('fills the default manifest of each ecosystem', () => {
    const manifest = (over: Record<string, unknown>) => {
      const parsed = bumpDependency.input.safeParse(args(over));
      return parsed.success ? parsed.data.manifestPath : parsed.error.message;
    };
    expect(manifest({ ecosystem: 'pypi', package: 'django', targetVersion: '3.2.10' })).toBe('requirements.txt');
    expect(manifest({ ecosystem: 'maven', package: 'g:a', targetVersion: '5.2.20.RELEASE' })).toBe('pom.xml');
    expect(manifest({ ecosystem: 'go', package: 'golang.org/x/net', targetVersion: 'v0.17.0' })).toBe('go.mod');
    expect(
      manifest({
        ecosystem: 'pypi',
        package: 'django',
        targetVersion: '3.2.10',
        manifestPath: 'requirements/base.txt',
      }),
    ).toBe('requirements/base.txt');
  });
});
