import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** File contents by path relative to the repository root; `null` on a branch deletes the file there. */
export const RepositoryFilesSchema = z.record(z.string().min(1), z.string());
export const BranchFilesSchema = z.record(z.string().min(1), z.string().nullable());

/**
 * A prepared repository: the files of the default branch (`main`), and branches made on top of it
 * with some files changed, added or deleted (e.g. the plan branch a remediation committed).
 */
export const RepositoryStatesSchema = z.object({
  base: RepositoryFilesSchema,
  branches: z.record(z.string().min(1), BranchFilesSchema).default({}),
});
export type RepositoryStates = z.infer<typeof RepositoryStatesSchema>;

/** Paths stay plain and inside the repository: relative, no `..`, no `.git`, no characters git would quote. */
function assertInside(file: string, where: string): void {
  const normal = path.posix.normalize(file);
  if (
    !/^[A-Za-z0-9._@+/-]+$/.test(file) ||
    path.posix.isAbsolute(file) ||
    normal !== file ||
    normal.startsWith('..') ||
    normal.split('/').includes('.git')
  ) {
    throw new Error(`${where}: "${file}" must be a plain relative path inside the repository`);
  }
}

const IDENTITY = 'Mobilize Evals <evals@localhost>';
/** Fixed commit times: a prepared state is the same repository every run. */
const EPOCH = 1_767_225_600;

function git(dir: string, args: string[], timeoutMs: number, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd: dir, timeout: timeoutMs, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`git ${args[0]} failed in ${dir}: ${stderr.trim() || error.message}`))
          : resolve(stdout),
    );
    child.stdin?.end(input);
  });
}

/** One `data` command of a fast-import stream: the byte length, then the bytes. */
function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

function commit(
  ref: string,
  mark: number,
  message: string,
  from: number | null,
  files: Record<string, string | null>,
): string {
  const changes = Object.entries(files)
    .map(([file, content]) => (content === null ? `D ${file}\n` : `M 100644 inline ${file}\n${data(content)}`))
    .join('');
  return (
    `commit ${ref}\nmark :${mark}\ncommitter ${IDENTITY} ${EPOCH + mark} +0000\n${data(message)}` +
    `${from === null ? '' : `from :${from}\n`}${changes}\n`
  );
}

/**
 * Writes a real git repository at `dir` (created if missing): one commit on `main` with the base
 * files, then one commit per branch on top of it, all in one `git fast-import`; the work tree is
 * checked out on `main`, as a checkout Mobilize changes would be. `where` names the case and field
 * in errors.
 */
export async function writeRepository(
  dir: string,
  states: RepositoryStates,
  where: string,
  timeoutMs = 20_000,
): Promise<{ dir: string }> {
  for (const file of Object.keys(states.base)) assertInside(file, `${where}.base`);
  let stream = commit('refs/heads/main', 1, 'base state', null, states.base);
  let mark = 1;
  for (const [branch, files] of Object.entries(states.branches)) {
    const at = `${where}.branches.${branch}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(branch) || branch.includes('..') || branch.endsWith('/')) {
      throw new Error(`${at}: not a valid branch name`);
    }
    for (const [file, content] of Object.entries(files)) {
      assertInside(file, at);
      if (content === null && !(file in states.base))
        throw new Error(`${at}: deletes "${file}", which base does not have`);
    }
    stream += commit(`refs/heads/${branch}`, ++mark, `state of ${branch}`, 1, files);
  }
  await mkdir(dir, { recursive: true });
  await git(dir, ['init', '-q', '-b', 'main'], timeoutMs);
  await git(dir, ['fast-import', '--quiet', '--done'], timeoutMs, `${stream}done\n`);
  await git(dir, ['checkout', '-q', '-f', 'main'], timeoutMs);
  return { dir };
}
