import { BranchConflictError, commitToBranch } from '../src/remediate/git.ts';
import type { ToolContext } from './context.ts';
import { type ToolFailure, toolError } from './define-tool.ts';

/**
 * The common end of every code-changing tool: a dry run returns the change without committing;
 * otherwise the files are committed on the plan branch under the runner's idempotency key (a replay
 * returns the same commit), and a branch made under another key is a tool error with a hint.
 */
export async function commitChange<S extends Record<string, unknown>>(
  tool: string,
  change: {
    repoDir: string;
    branch: string;
    base: string;
    files: { path: string; content: string }[];
    message: string;
    summary: S;
  },
  context: ToolContext,
): Promise<(S & { branch: string; commit: string | null; created: boolean }) | ToolFailure> {
  const { summary } = change;
  if (context.dryRun) return { branch: change.branch, commit: null, created: false, ...summary };
  if (!context.idempotencyKey) {
    return toolError(`${tool} changes code and needs an idempotency key; run it through the tool runner.`);
  }
  try {
    const result = await commitToBranch({
      repoDir: change.repoDir,
      branch: change.branch,
      base: change.base,
      files: change.files,
      message: change.message,
      idempotencyKey: context.idempotencyKey,
      timeoutMs: context.timeoutMs,
    });
    return { ...result, ...summary };
  } catch (error) {
    if (error instanceof BranchConflictError) {
      return toolError(`${error.message}. Choose another branch name under mobilize/.`);
    }
    throw error;
  }
}
