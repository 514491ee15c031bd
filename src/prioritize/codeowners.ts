import picomatch from 'picomatch';

/** One usable CODEOWNERS line: its pattern, its owners (possibly none) and where it was written. */
export type CodeownersEntry = {
  pattern: string;
  /** `@user`, `@org/team` or an e-mail address, as written. Empty: the pattern un-assigns its files. */
  owners: string[];
  /** 1-based line number in the file, so a routing decision can cite its source. */
  line: number;
  matches: (path: string) => boolean;
};

/** A line GitHub would skip, kept so a reviewer can see why a pattern never applied. */
export type CodeownersProblem = { line: number; message: string };

export type CodeownersFile = { entries: CodeownersEntry[]; problems: CodeownersProblem[] };

const USER = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TEAM = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9_.-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * picomatch options that leave only what CODEOWNERS supports: `*`, `?`, `**` and backslash
 * escapes. GitHub documents that negation (`!`) and character ranges (`[ ]`) do not work, and
 * braces or extglobs were never part of gitignore, so those characters are matched literally.
 */
const GLOB_OPTIONS = {
  dot: true,
  nobrace: true,
  nobracket: true,
  noextglob: true,
  nonegate: true,
  noquantifiers: true,
} as const;

/** Whether a CODEOWNERS handle names a team (`@org/team`) rather than a person. */
export function isTeamHandle(owner: string): boolean {
  return TEAM.test(owner);
}

/**
 * Parses a CODEOWNERS file the way GitHub reads it: blank lines and `#` comments are skipped,
 * a `#` token ends the line, the first token is a gitignore-style pattern and the rest are
 * owners. A line GitHub would reject (negation, character ranges, an invalid owner) is left
 * out and reported in `problems` instead of failing the whole file, as GitHub does.
 */
export function parseCodeowners(text: string): CodeownersFile {
  const entries: CodeownersEntry[] = [];
  const problems: CodeownersProblem[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const tokens = tokenize(lines[index] ?? '');
    const pattern = tokens[0];
    if (pattern === undefined) continue;
    const owners = tokens.slice(1);
    const problem = checkLine(pattern, owners);
    if (problem) {
      problems.push({ line, message: problem });
      continue;
    }
    entries.push({ pattern, owners, line, matches: compilePattern(pattern) });
  }
  return { entries, problems };
}

/**
 * The owners of a repository path: those of the LAST matching entry (GitHub's precedence),
 * `[]` when that entry names no owners (the path is deliberately unowned), `null` when no
 * entry matches.
 */
export function codeownersFor(file: CodeownersFile, path: string): string[] | null {
  return codeownersEntryFor(file, path)?.owners ?? null;
}

/** The last entry matching a path, so a caller can cite the pattern and line that decided. */
export function codeownersEntryFor(file: CodeownersFile, path: string): CodeownersEntry | null {
  const normalized = normalizeRepoPath(path);
  if (normalized === '') return null;
  for (let i = file.entries.length - 1; i >= 0; i--) {
    const entry = file.entries[i]!;
    if (entry.matches(normalized)) return entry;
  }
  return null;
}

/**
 * Repository-relative form of a path as scanners report it: forward slashes, no leading
 * `./` or `/`, no trailing `:line[:column]`.
 */
export function normalizeRepoPath(path: string): string {
  return path
    .trim()
    .replace(/\\/g, '/')
    .replace(/:\d+(?::\d+)?$/, '')
    .replace(/^(?:\.\/|\/)+/, '');
}

/** Splits a line on unescaped whitespace and drops everything from a `#` token on. */
function tokenize(raw: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length && /\s/.test(raw[i + 1]!)) {
      current += raw[i + 1];
      i++;
    } else if (/\s/.test(ch)) {
      if (current) tokens.push(current);
      current = '';
    } else if (ch === '#' && current === '') {
      break;
    } else {
      current += ch;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

function checkLine(pattern: string, owners: string[]): string | null {
  if (pattern.startsWith('!')) return `pattern "${pattern}": negation with ! is not supported in CODEOWNERS`;
  if (/[[\]]/.test(pattern)) return `pattern "${pattern}": character ranges [ ] are not supported in CODEOWNERS`;
  if (pattern.includes('***')) return `pattern "${pattern}": three consecutive asterisks are not a valid pattern`;
  const bad = owners.find((owner) => !(USER.test(owner) || TEAM.test(owner) || EMAIL.test(owner)));
  if (bad !== undefined) return `owner "${bad}" is not @user, @org/team or an e-mail address`;
  return null;
}

/**
 * Turns a gitignore-style pattern into picomatch globs with GitHub's CODEOWNERS semantics:
 * - a leading `/` anchors the pattern at the repository root; so does a `/` in the middle;
 *   a single segment without one (`*.js`, `apps/`) matches at any depth;
 * - a trailing `/` (or `/**`) matches everything inside that directory, not the name itself;
 * - a last segment that names something (`docs`, `f*`) also matches everything below it,
 *   because it may be a directory; a lone `*` last segment (`docs/*`) matches direct children only.
 */
/**
 * Backslash-escapes characters picomatch would read as syntax that gitignore treats literally
 * (parentheses, braces, `+`, `@`, `!`, `|`), leaving existing escapes untouched. The options
 * alone do not cover every position (e.g. `+(x)` after a `**` prefix).
 */
function escapeLiterals(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      out += ch + pattern[i + 1];
      i++;
    } else {
      out += '(){}+@!|'.includes(ch) ? `\\${ch}` : ch;
    }
  }
  return out;
}

function compilePattern(pattern: string): (path: string) => boolean {
  if (pattern === '/') return () => false;
  let body = escapeLiterals(pattern);
  const anchored = body.startsWith('/');
  if (anchored) body = body.slice(1);
  let directoryOnly = false;
  if (body.endsWith('/')) {
    directoryOnly = true;
    body = body.slice(0, -1);
  }
  const segments = body.split('/');
  if (!anchored && segments.length === 1 && segments[0] !== '**') body = `**/${body}`;
  const last = segments[segments.length - 1];
  const globs: string[] = [];
  if (body === '**') {
    globs.push('**');
  } else if (directoryOnly || last === '**') {
    globs.push(`${body.replace(/\/\*\*$/, '')}/**/*`);
  } else if (last === '*') {
    globs.push(body);
  } else {
    globs.push(body, `${body}/**/*`);
  }
  return picomatch(globs, GLOB_OPTIONS);
}
