import * as pep440 from '@renovatebot/pep440';
import { ManifestEditError } from '../dependency-edit.ts';

/**
 * One PEP 508 requirement (`name[extras] specifiers ; markers`) as spans of the text it was read from,
 * so an edit replaces the specifiers and keeps extras, markers, comments and spacing as written.
 */
export type Requirement = {
  name: string;
  /** Where a specifier goes when there is none: right after the name and its extras. */
  nameEnd: number;
  /** The specifier text (trimmed, without parentheses) and its span; an empty span at nameEnd when absent. */
  spec: string;
  specStart: number;
  specEnd: number;
  /** `name @ https://...`: not installed from the index, so not ours to bump. */
  url: string | null;
  /** `--hash=...` options follow: pip checks the archive hashes, which a new version changes. */
  hasHashes: boolean;
};

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;

/**
 * Reads a requirement from one line of a requirements file or one pyproject string; null for what is
 * not one (blank, comment, `-r other.txt` and other pip options).
 */
export function parseRequirement(text: string): Requirement | null {
  let at = /^\s*/.exec(text)![0].length;
  if (at >= text.length || text[at] === '#' || text[at] === '-') return null;
  const name = NAME.exec(text.slice(at))?.[0];
  if (!name) return null;
  at += name.length;
  let nameEnd = at;
  const extras = /^\s*\[[^\]]*\]/.exec(text.slice(at));
  if (extras) {
    at += extras[0].length;
    nameEnd = at;
  }
  const url = /^\s*@\s*(\S+)/.exec(text.slice(at));
  // The specifier region ends at markers, a comment, a pip option or a line continuation.
  let end = at;
  while (end < text.length) {
    const char = text[end]!;
    const afterSpace = end === 0 || /\s/.test(text[end - 1]!);
    if (char === ';' || char === '\\' || (char === '#' && afterSpace)) break;
    if (char === '-' && text[end + 1] === '-' && afterSpace) break;
    end++;
  }
  const hasHashes = /(^|\s)--hash[=\s]/.test(text.slice(end));
  if (url) {
    return { name, nameEnd, spec: '', specStart: nameEnd, specEnd: nameEnd, url: url[1]!, hasHashes };
  }
  let specStart = at + /^\s*/.exec(text.slice(at, end))![0].length;
  let specEnd = end;
  while (specEnd > specStart && /\s/.test(text[specEnd - 1]!)) specEnd--;
  if (text[specStart] === '(' && text[specEnd - 1] === ')') {
    specStart += 1 + /^\s*/.exec(text.slice(specStart + 1, specEnd - 1))![0].length;
    specEnd--;
    while (specEnd > specStart && /\s/.test(text[specEnd - 1]!)) specEnd--;
  }
  if (specStart === specEnd) specStart = specEnd = nameEnd;
  return { name, nameEnd, spec: text.slice(specStart, specEnd), specStart, specEnd, url: null, hasHashes };
}

type Clause = { op: string; version: string };

const CLAUSE = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*([^\s,]+)\s*$/;

/** The comma-separated clauses of a PEP 440 specifier; throws a ManifestEditError for anything else. */
function clausesOf(spec: string): Clause[] {
  if (!spec.trim()) return [];
  return spec.split(',').map((part) => {
    const match = CLAUSE.exec(part);
    if (!match) throw new ManifestEditError(`"${spec}" is not a PEP 440 version specifier; change it by hand`);
    return { op: match[1]!, version: match[2]! };
  });
}

const wildcard = (clause: Clause) => clause.op === '==' && clause.version.endsWith('.*');

/**
 * The lowest version a PEP 440 specifier admits, as far as its floor says: `==X` and `===X` are X, the
 * highest of the `>=`, `>`, `~=` and `==X.*` floors otherwise (a `>X` floor counts as X, erring towards
 * "still affected"), and `0` when nothing bounds it below. Null when it is not a specifier.
 */
export function pep440Floor(spec: string): string | null {
  let clauses: Clause[];
  try {
    clauses = clausesOf(spec);
  } catch {
    return null;
  }
  const exact = clauses.find((clause) => (clause.op === '==' && !wildcard(clause)) || clause.op === '===');
  if (exact) return pep440.valid(exact.version) === null ? null : exact.version;
  const floors = clauses
    .filter((clause) => ['>=', '>', '~='].includes(clause.op) || wildcard(clause))
    .map((clause) => (wildcard(clause) ? clause.version.slice(0, -2) : clause.version));
  if (floors.some((floor) => pep440.valid(floor) === null)) return null;
  return floors.reduce((high, floor) => (pep440.compare(floor, high) > 0 ? floor : high), '0');
}

/**
 * The specifier moved to `target`, keeping its intent: an exact pin (`==X`, `===X`) stays exact; anything
 * else gets `>=target` as its floor and keeps its caps (`<4`, `!=3.2.5`, `~=3.2`, `==3.*`) when the target
 * still satisfies them. No specifier at all becomes `>=target`. A target outside the declared caps is a
 * ManifestEditError: raising a cap is a decision for a person.
 */
export function bumpPep440Spec(spec: string, target: string): string {
  const clauses = clausesOf(spec);
  if (clauses.length === 1 && clauses[0]!.op === '===') return `===${target}`;
  if (clauses.length === 1 && clauses[0]!.op === '==' && !wildcard(clauses[0]!)) return `==${target}`;
  const kept = clauses.filter((clause) => ['<', '<=', '!=', '~='].includes(clause.op) || wildcard(clause));
  const separator = spec.includes(', ') ? ', ' : ',';
  const next = [`>=${target}`, ...kept.map((clause) => `${clause.op}${clause.version}`)].join(separator);
  if (!pep440.satisfies(target, next.replaceAll(' ', ''))) {
    throw new ManifestEditError(
      `${target} is outside the declared range "${spec}"; widening it is a decision to make by hand`,
    );
  }
  return next;
}

/** Poetry's own forms: `^X`, `~X` and a bare `X` (exact); `*` admits anything. */
const POETRY_SHORTHAND = /^\s*(\^|~(?!=)|)\s*(\d[^\s,|]*)\s*$/;

/** The lowest version a Poetry constraint admits; null when unreadable. */
export function poetryFloor(spec: string): string | null {
  if (spec.trim() === '*' || spec.trim() === '') return '0';
  const short = POETRY_SHORTHAND.exec(spec);
  if (short) return pep440.valid(short[2]!) === null ? null : short[2]!;
  if (spec.includes('||')) return null;
  return pep440Floor(spec);
}

/** A Poetry constraint moved to `target`: `^` stays `^`, `~` stays `~`, exact stays exact, `*` becomes `>=`. */
export function bumpPoetrySpec(spec: string, target: string): string {
  if (spec.trim() === '*' || spec.trim() === '') return `>=${target}`;
  const short = POETRY_SHORTHAND.exec(spec);
  if (short) return `${short[1]}${target}`;
  if (spec.includes('||')) {
    throw new ManifestEditError(`the constraint "${spec}" has alternatives (||); change it by hand`);
  }
  return bumpPep440Spec(spec, target);
}
