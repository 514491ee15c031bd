import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ServiceError, UpstreamError, ValidationError } from '../domain/errors.ts';

/** Branches Mobilize creates live under `mobilize/`, so they are recognisable and never collide with people's. */
export const BRANCH_PATTERN = /^mobilize\/[A-Za-z0-9._-]+$/;

/** The trailer that ties a commit to the action that made it: the same key never commits twice. */
export const IDEMPOTENCY_TRAILER = 'Mobilize-Idempotency-Key';

const DEFAULT_AUTHOR = { name: 'Mobilize', email: 'mobilize@localhost' };
const MAX_OUTPUT = 256 * 1024 * 1024;

/** The branch exists but was made by another action (another idempotency key): pick another name. */
export class BranchConflictError extends ServiceError {
  readonly branch: string;
  constructor(branch: string, message: string) {
    super('BRANCH_CONFLICT', message, { status: 409 });
    this.branch = branch;
  }
}

type GitOptions = { cwd: string; timeoutMs: number; input?: string; env?: Record<string, string> };

/** Runs git without a shell; resolves with stdout, or rejects with an UpstreamError carrying stderr. */
function git(args: readonly string[], options: GitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    // git may exit before reading its input (on an error): the exit code, not the EPIPE, is the answer.
    let stdinError: Error | undefined;
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs,
        maxBuffer: MAX_OUTPUT,
        encoding: 'utf8',
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env },
      },
      (error, stdout, stderr) => {
        if (error || stdinError) {
          const detail = stderr.trim() || (error ?? stdinError)!.message;
          reject(new UpstreamError(`git ${args[0]} failed in ${options.cwd}: ${detail}`, error ?? stdinError));
        } else {
          resolve(stdout);
        }
      },
    );
    child.stdin?.on('error', (error) => {
      stdinError ??= error;
    });
    if (options.input === undefined) child.stdin?.end();
    else child.stdin?.end(options.input);
  });
}

/** Like git(), but a non-zero exit is an answer (false), not a failure. */
async function gitSucceeds(args: readonly string[], options: GitOptions): Promise<boolean> {
  try {
    await git(args, options);
    return true;
  } catch (error) {
    if (error instanceof UpstreamError && isExitCode(error.cause)) return false;
    throw error;
  }
}

/** git ran and exited non-zero (as opposed to a timeout or git missing). */
function isExitCode(cause: unknown): boolean {
  const failure = cause as { code?: unknown; killed?: unknown } | undefined;
  return typeof failure?.code === 'number' && failure.killed !== true;
}

/** Throws a ValidationError unless the name is a `mobilize/...` branch. */
export function assertBranchName(branch: string): void {
  if (!BRANCH_PATTERN.test(branch) || branch.includes('..') || branch.endsWith('.') || branch.endsWith('.lock')) {
    throw new ValidationError(`branch "${branch}" must match ${BRANCH_PATTERN} (and not end in . or .lock)`);
  }
}

/** True for a path inside the repository: relative, forward slashes, no `..`, no `.git`. */
export function isSafeRelativePath(file: string): boolean {
  if (
    !file ||
    file.includes('\\') ||
    file.includes('\0') ||
    path.posix.isAbsolute(file) ||
    path.win32.isAbsolute(file)
  ) {
    return false;
  }
  const parts = file.split('/');
  return parts.every((part) => part !== '' && part !== '.' && part !== '..') && parts[0]!.toLowerCase() !== '.git';
}

/** Throws a ValidationError unless the path is a safe relative path. */
export function assertRelativePath(file: string): void {
  if (!isSafeRelativePath(file)) throw new ValidationError(`"${file}" must be a relative path inside the repository`);
}

/** A ref a caller may name: HEAD, a branch or tag name, or a commit id; never something git could read as an option. */
export function assertRef(ref: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/.test(ref) || ref.includes('..') || ref.includes('//') || ref.endsWith('/')) {
    throw new ValidationError(`"${ref}" is not a valid git ref`);
  }
}

/** Whether a directory is inside a git work tree. */
export async function isWorkTree(repoDir: string, timeoutMs: number): Promise<boolean> {
  try {
    return (await git(['rev-parse', '--is-inside-work-tree'], { cwd: repoDir, timeoutMs })).trim() === 'true';
  } catch (error) {
    if (error instanceof UpstreamError) return false;
    throw error;
  }
}

/** The commit a ref names, or null when it names none. */
export async function resolveCommit(repoDir: string, ref: string, timeoutMs: number): Promise<string | null> {
  assertRef(ref);
  try {
    const out = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
      cwd: repoDir,
      timeoutMs,
    });
    return out.trim() || null;
  } catch (error) {
    if (error instanceof UpstreamError && isExitCode(error.cause)) return null;
    throw error;
  }
}

/** Whether `refs/heads/<branch>` exists. */
export async function branchExists(repoDir: string, branch: string, timeoutMs: number): Promise<boolean> {
  assertBranchName(branch);
  return gitSucceeds(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: repoDir, timeoutMs });
}

/** A file's content at a ref (a commit, branch or HEAD), or null when the ref has no such file. */
export async function readFileAt(
  repoDir: string,
  ref: string,
  file: string,
  timeoutMs: number,
): Promise<string | null> {
  assertRef(ref);
  assertRelativePath(file);
  const commit = await resolveCommit(repoDir, ref, timeoutMs);
  if (!commit) throw new ValidationError(`"${ref}" names no commit in ${repoDir}`);
  const entry = await git(['ls-tree', '-z', commit, '--', file], { cwd: repoDir, timeoutMs });
  const match = /^\d+ blob ([0-9a-f]+)\t/.exec(entry);
  if (!match) return null;
  return git(['cat-file', 'blob', match[1]!], { cwd: repoDir, timeoutMs });
}

/** The value of the last idempotency trailer of a commit message, if any. */
function idempotencyKeyOf(message: string): string | null {
  const pattern = new RegExp(`^${IDEMPOTENCY_TRAILER}: *(.+?) *$`, 'gm');
  let key: string | null = null;
  for (const match of message.matchAll(pattern)) key = match[1]!;
  return key;
}

export type CommitInput = {
  repoDir: string;
  branch: string;
  files: readonly { path: string; content: string }[];
  message: string;
  idempotencyKey: string;
  timeoutMs: number;
  author?: { name: string; email: string };
  /** The commit to branch from; HEAD of the checkout by default (which should sit on the default branch). */
  base?: string;
};

export type CommitResult = { branch: string; commit: string; created: boolean };

/**
 * Commits files onto a new branch without touching the working copy: git plumbing writes the blobs,
 * builds the tree in a throwaway index, commits it on top of the base and creates the ref only if it
 * does not exist yet. The checked-out branch, the index and uncommitted changes stay as they were.
 * Idempotent: a branch whose tip carries the same key trailer is returned as is (created false); a
 * branch made under another key is a BranchConflictError.
 */
export async function commitToBranch(input: CommitInput): Promise<CommitResult> {
  const { repoDir, branch, idempotencyKey, timeoutMs } = input;
  assertBranchName(branch);
  for (const file of input.files) assertRelativePath(file.path);
  if (!idempotencyKey.trim() || /[\r\n]/.test(idempotencyKey)) {
    throw new ValidationError('the idempotency key must be one non-empty line');
  }
  const run = { cwd: repoDir, timeoutMs };
  const ref = `refs/heads/${branch}`;

  const existing = await existingBranch(repoDir, branch, idempotencyKey, timeoutMs);
  if (existing) return existing;

  const base = await resolveCommit(repoDir, input.base ?? 'HEAD', timeoutMs);
  if (!base) throw new ValidationError(`"${input.base ?? 'HEAD'}" names no commit in ${repoDir}`);
  const author = input.author ?? DEFAULT_AUTHOR;
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'mobilize-index-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    await git(['read-tree', base], { ...run, env });
    for (const file of input.files) {
      const blob = (await git(['hash-object', '-w', '--stdin'], { ...run, input: file.content })).trim();
      const staged = await git(['ls-files', '-s', '-z', '--', file.path], { ...run, env });
      const mode = /^(\d+) /.exec(staged)?.[1] ?? '100644';
      await git(['update-index', '--add', '--cacheinfo', `${mode},${blob},${file.path}`], { ...run, env });
    }
    const tree = (await git(['write-tree'], { ...run, env })).trim();
    const message = `${input.message.trim()}\n\n${IDEMPOTENCY_TRAILER}: ${idempotencyKey}\n`;
    const identity = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    const commit = (
      await git(['commit-tree', tree, '-p', base, '-F', '-'], { ...run, env: identity, input: message })
    ).trim();
    // An empty old value makes git refuse if the branch appeared meanwhile (another run with the same key).
    const created = await gitSucceeds(['update-ref', '-m', `mobilize: ${idempotencyKey}`, ref, commit, ''], run);
    if (created) return { branch, commit, created: true };
    const raced = await existingBranch(repoDir, branch, idempotencyKey, timeoutMs);
    if (raced) return raced;
    throw new UpstreamError(`git could not create ${ref} in ${repoDir}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The branch's tip when it was made under this key; null when absent; BranchConflictError otherwise. */
async function existingBranch(
  repoDir: string,
  branch: string,
  idempotencyKey: string,
  timeoutMs: number,
): Promise<CommitResult | null> {
  if (!(await branchExists(repoDir, branch, timeoutMs))) return null;
  const tip = await resolveCommit(repoDir, `refs/heads/${branch}`, timeoutMs);
  if (!tip) return null;
  const message = await git(['log', '-1', '--format=%B', tip], { cwd: repoDir, timeoutMs });
  const key = idempotencyKeyOf(message);
  if (key === idempotencyKey) return { branch, commit: tip, created: false };
  throw new BranchConflictError(
    branch,
    `branch ${branch} already exists in ${repoDir} and was made by ${key ? `another action (key ${key})` : 'someone else'}`,
  );
}

/** Whether the branch is already merged into `base` (then deleting it would undo nothing). */
export async function isMergedInto(repoDir: string, branch: string, base: string, timeoutMs: number): Promise<boolean> {
  assertBranchName(branch);
  assertRef(base);
  return gitSucceeds(['merge-base', '--is-ancestor', `refs/heads/${branch}`, base], { cwd: repoDir, timeoutMs });
}

/**
 * Rolls back an unmerged plan branch by deleting it; returns the commit it pointed at (so the
 * change can still be recovered with `git branch <name> <commit>`), or null when it was gone.
 */
export async function deleteBranch(repoDir: string, branch: string, timeoutMs: number): Promise<string | null> {
  assertBranchName(branch);
  const commit = await resolveCommit(repoDir, `refs/heads/${branch}`, timeoutMs);
  if (!commit) return null;
  await git(['update-ref', '-d', `refs/heads/${branch}`, commit], { cwd: repoDir, timeoutMs });
  return commit;
}

/** Pushes a plan branch to a remote (before a forge can open a pull request for it). */
export async function pushBranch(repoDir: string, remote: string, branch: string, timeoutMs: number): Promise<void> {
  assertBranchName(branch);
  if (!/^[A-Za-z0-9._-]+$/.test(remote)) throw new ValidationError(`remote "${remote}" is not a remote name`);
  await git(['push', '--quiet', remote, `refs/heads/${branch}:refs/heads/${branch}`], { cwd: repoDir, timeoutMs });
}
