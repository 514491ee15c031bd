import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeRequest } from '../../../src/domain/remediation.ts';
import type { Forge, ToolContext } from '../../../tools/context.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { revertChange } from '../../../tools/revert-change.ts';
import { fakeToolContext, git, repositoryAsset, tempRepo } from '../remediate/support.ts';

/** A forge holding one open change request for mobilize/plan-1 (or failing to close it). */
function forgeWithOpenRequest(options: { fail?: boolean } = {}) {
  const closes: Parameters<Forge['closeChangeRequest']>[0][] = [];
  let open = true;
  const request: ChangeRequest = {
    id: 'cr_1',
    system: 'github',
    externalId: '12',
    url: 'https://github.com/acme/shop/pull/12',
    assetId: 'repo',
    planId: 'plan-1',
    branch: 'mobilize/plan-1',
    base: 'main',
    title: 'Bump lodash',
    state: 'open',
  };
  const forge: Forge = {
    openChangeRequest: () => Promise.reject(new Error('opening is not used')),
    async closeChangeRequest(input) {
      closes.push(input);
      if (options.fail) throw new Error('GitHub close pull request: 502');
      if (!open || input.branch !== request.branch) return null;
      open = false;
      return { ...request, state: 'closed' };
    },
  };
  return { forge, closes };
}

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
    const { forge, closes } = forgeWithOpenRequest();
    const context: ToolContext = {
      ...fakeToolContext({ assets: [repositoryAsset('repo', repo.dir)], idempotencyKey: 'k' }),
      forge,
    };
    return { dir: repo.dir, commit, context, closes };
  }

  it('closes the open change request, deletes the unmerged plan branch and returns its commit', async () => {
    const { dir, commit, context, closes } = repoWithBranch();
    const output = await revertChange.run(
      revertChange.input.parse({ assetId: 'repo', branch: 'mobilize/plan-1', reason: 'verification failed' }),
      context,
    );
    expect(output).toEqual({
      branch: 'mobilize/plan-1',
      deleted: true,
      commit,
      changeRequest: { id: 'cr_1', system: 'github', url: 'https://github.com/acme/shop/pull/12' },
    });
    expect(closes).toEqual([
      { assetId: 'repo', branch: 'mobilize/plan-1', repositoryUrl: null, reason: 'verification failed' },
    ]);
    expect(git(dir, 'branch', '--list', 'mobilize/plan-1')).toBe('');
    expect(git(dir, 'cat-file', '-t', commit)).toBe('commit');
    // Again: nothing left to close or delete.
    const again = await revertChange.run(
      revertChange.input.parse({ assetId: 'repo', branch: 'mobilize/plan-1' }),
      context,
    );
    expect(again).toEqual({ branch: 'mobilize/plan-1', deleted: false, commit: null, changeRequest: null });
  });

  it('keeps the branch when the change request cannot be closed, so a retry does both', async () => {
    const { dir, context } = repoWithBranch();
    const failing = { ...context, forge: forgeWithOpenRequest({ fail: true }).forge };
    await expect(
      revertChange.run(revertChange.input.parse({ assetId: 'repo', branch: 'mobilize/plan-1' }), failing),
    ).rejects.toThrow(/502/);
    expect(git(dir, 'branch', '--list', 'mobilize/plan-1')).toContain('mobilize/plan-1');
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
