import path from 'node:path';
import type { Asset } from '../domain/asset.ts';
import { isWorkTree, resolveCommit } from './git.ts';

/**
 * The local git working copy of a repository asset, or why there is none. Only repository assets
 * whose `attributes.checkoutPath` is an absolute path to a git work tree can be changed or re-checked.
 */
export async function checkoutOf(
  asset: Asset | null,
  assetId: string,
  timeoutMs: number,
): Promise<{ dir: string } | { problem: string }> {
  if (!asset) return { problem: `No asset "${assetId}". Asset ids come from get_exposure or get_asset.` };
  if (asset.kind !== 'repository') {
    return {
      problem:
        `Asset "${assetId}" is a ${asset.kind}, not a repository: dependency changes need a repository asset. ` +
        'Find the repository that builds it, or create a ticket instead.',
    };
  }
  const dir = asset.attributes.checkoutPath;
  if (typeof dir !== 'string' || !path.isAbsolute(dir)) {
    return {
      problem:
        `Repository "${assetId}" has no local checkout (attributes.checkoutPath is not set to an absolute path); ` +
        'it cannot be changed automatically. Create a ticket instead.',
    };
  }
  if (!(await isWorkTree(dir, timeoutMs))) {
    return {
      problem: `The checkout of "${assetId}" (${dir}) is not a git work tree; it cannot be changed. Create a ticket instead.`,
    };
  }
  return { dir };
}

/**
 * The checkout of a repository asset and the commit `ref` names in it, or why there is none: what
 * every re-check tool starts from (the evidence is about exactly that commit).
 */
export async function checkoutAt(
  asset: Asset | null,
  assetId: string,
  ref: string,
  timeoutMs: number,
): Promise<{ dir: string; commit: string } | { problem: string }> {
  const checkout = await checkoutOf(asset, assetId, timeoutMs);
  if ('problem' in checkout) return checkout;
  const commit = await resolveCommit(checkout.dir, ref, timeoutMs);
  if (!commit) return { problem: `"${ref}" names no commit in "${assetId}". Use HEAD or an existing branch.` };
  return { dir: checkout.dir, commit };
}
