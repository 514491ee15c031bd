import { afterEach, describe, expect, it } from 'vitest';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { revertChange } from '../../../tools/revert-change.ts';
import { fakeToolContext, git, repositoryAsset, tempRepo } from '../remediate/support.ts';

describe('revert_change', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  function repoWithBranch() {
    const repo = tempRepo({ 'package.json': '{"dependencies":{"lodash":"^4.17.15"}}\n' });
    cleanup = repo.cleanup;
    git(repo.dir, 'checkout', '-q', '-b', 'mobilize/plan-1');
    git(repo.dir, 'commit', '-q', '--allow-empty', '-m', 'fix');
    const commit = git(repo.dir, 'rev-parse', 'HEAD');
    git(repo.dir, 'checkout', '-q', 'main');
    const context = fakeToolContext({ assets: [repositoryAsset('repo', repo.dir)], idempotencyKey: 'k' });
    return { dir: repo.dir, commit, context };
  }

  it('deletes an unmerged plan branch and returns its commit, so nothing is lost', async () => {
    const { dir, commit, context } = repoWithBranch();
    const output = await revertChange.run(
      revertChange.input.parse({ assetId: 'repo', branch: 'mobilize/plan-1' }),
      context,
    );
    expect(output).toEqual({ branch: 'mobilize/plan-1', deleted: true, commit });
    expect(git(dir, 'branch', '--list', 'mobilize/plan-1')).toBe('');
    expect(git(dir, 'cat-file', '-t', commit)).toBe('commit');
    // Again: nothing left to delete.
    const again = await revertChange.run(
      revertChange.input.parse({ assetId: 'repo', branch: 'mobilize/plan-1' }),
      context,
    );
    expect(again).toEqual({ branch: 'mobilize/plan-1', deleted: false, commit: null });
  });

  it('refuses a branch already merged into main: that needs a revert change request', async () => {
    const { dir, context } = repoWithBranch();
    git(dir, 'merge', '-q', '--ff-only', 'mobilize/plan-1');
    const output = await revertChange.run(
      revertChange.input.parse({ assetId: 'repo', branch: 'mobilize/plan-1' }),
      context,
    );
    expect(isToolFailure(output)).toBe(true);
    expect(git(dir, 'branch', '--list', 'mobilize/plan-1')).toContain('mobilize/plan-1');
  });

  it('rejects a branch outside mobilize/ and an unknown asset', async () => {
    expect(revertChange.input.safeParse({ assetId: 'repo', branch: 'main' }).success).toBe(false);
    const context = fakeToolContext({ assets: [] });
    const output = await revertChange.run(revertChange.input.parse({ assetId: 'nope', branch: 'mobilize/x' }), context);
    expect(isToolFailure(output)).toBe(true);
  });

  it('changes nothing on a dry run', async () => {
    const { dir } = repoWithBranch();
    const context = fakeToolContext({ assets: [repositoryAsset('repo', dir)], dryRun: true });
    await revertChange.run(revertChange.input.parse({ assetId: 'repo', branch: 'mobilize/plan-1' }), context);
    expect(git(dir, 'branch', '--list', 'mobilize/plan-1')).toContain('mobilize/plan-1');
  });
});
