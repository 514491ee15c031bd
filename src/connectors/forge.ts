import type { Forge } from '../../tools/context.ts';
import type { Database } from '../db/database.ts';
import {
  closeChangeRequestRecord,
  findChangeRequest,
  findOpenChangeRequest,
  recordChangeRequest,
} from '../db/repositories/change-requests-store.ts';
import { UpstreamError } from '../domain/errors.ts';
import { pushBranch } from '../remediate/git.ts';
import { type GitHubClient, parseGitHubRepository } from './github.ts';

export type ForgeOptions = {
  db: Database;
  /** Set when a GitHub token is configured; `hosts` are GitHub Enterprise host names besides github.com. */
  github?: { client: GitHubClient; hosts?: readonly string[] };
  /** Budget of the git push that precedes a pull request. */
  timeoutMs?: number;
};

/**
 * Where change requests go: a GitHub pull request when the repository's URL is on GitHub (or a
 * configured Enterprise host) and a token is configured, else the local forge, which records the
 * branch. Idempotent per key: a recorded change request is returned without calling GitHub again.
 * The plan branch is pushed to the working copy's `origin` first (GitHub needs it there).
 */
export function createForge(options: ForgeOptions): Forge {
  const { db, github } = options;
  const timeoutMs = options.timeoutMs ?? 60_000;
  return {
    async openChangeRequest(request, idempotencyKey) {
      const recorded = await findChangeRequest(db, idempotencyKey);
      if (recorded) return recorded;
      const target =
        github && request.repositoryUrl ? parseGitHubRepository(request.repositoryUrl, github.hosts) : null;
      if (!github || !target) return recordChangeRequest(db, { ...request, system: 'local' }, idempotencyKey);
      // GitHub accepts a pull request only for a branch it has: push it from the working copy first.
      if (request.checkoutPath) await pushBranch(request.checkoutPath, 'origin', request.branch, timeoutMs);
      const pull = await github.client.openPullRequest({
        ...target,
        head: request.branch,
        base: request.base,
        title: request.title,
        body: request.body,
      });
      return recordChangeRequest(
        db,
        { ...request, system: 'github', externalId: String(pull.number), url: pull.url },
        idempotencyKey,
      );
    },

    async closeChangeRequest({ assetId, branch, repositoryUrl, reason }) {
      const open = await findOpenChangeRequest(db, assetId, branch);
      if (!open) return null;
      if (open.system === 'github') {
        const target = github && repositoryUrl ? parseGitHubRepository(repositoryUrl, github.hosts) : null;
        if (!github || !target || !open.externalId) {
          throw new UpstreamError(
            `pull request ${open.url ?? open.externalId} cannot be closed: no GitHub token or repository URL is configured now`,
          );
        }
        await github.client.closePullRequest({ ...target, number: Number(open.externalId), comment: reason });
      }
      return closeChangeRequestRecord(db, open.id);
    },
  };
}
