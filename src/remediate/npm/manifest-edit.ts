import semver from 'semver';
import { z } from 'zod';
import {
  applyEdits,
  detectLayout,
  insertMemberEdit,
  type JsonLayout,
  type JsonNode,
  memberOf,
  readJsonSpans,
  type TextEdit,
} from '../json-text.ts';
import { installedInstances, parseLockfile, rootSpec } from './lockfile.ts';

/** Where package.json declares a dependency, in the order npm installs them. */
export const DIRECT_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
export type DirectSection = (typeof DIRECT_SECTIONS)[number];

/** A computed change to an npm project: the files before and after, and what it means. */
export const ManifestEditSchema = z.object({
  files: z.array(z.object({ path: z.string(), before: z.string(), after: z.string() })),
  direct: z.boolean(),
  section: z.enum([...DIRECT_SECTIONS, 'overrides']),
  previousSpec: z.string().nullable(),
  newSpec: z.string(),
  /** `regenerate`: the lockfile still pins an older copy (or no longer matches package.json); we never edit it. */
  lockfile: z.enum(['absent', 'regenerate', 'unchanged']),
});
export type ManifestEdit = z.infer<typeof ManifestEditSchema>;

export type ManifestEditInput = { packageJson: string; packageName: string; target: string; lockfile?: string | null };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Specs that do not come from the registry: bumping a version there means something else entirely. */
const NON_REGISTRY =
  /^(file:|link:|workspace:|portal:|git(\+\w+)?:|github:|gitlab:|bitbucket:|gist:|https?:|\.|\/|~\/)/;
const DIST_TAG = /^[A-Za-z][\w.-]*$/;

/**
 * The new spec for a direct dependency, keeping the author's intent: `^` stays `^`, `~` stays `~`,
 * an exact pin stays exact, anything else (`>=1 <2`, `1.x`, `*`, a dist-tag) becomes `^<target>` so the
 * floor excludes the vulnerable versions. `npm:` aliases keep their prefix. Throws for non-registry specs.
 */
export function bumpSpec(previous: string, target: string): string {
  const spec = previous.trim();
  const alias = /^npm:(@?[^@\s]+)@(.*)$/.exec(spec);
  if (alias) return `npm:${alias[1]}@${bumpSpec(alias[2] || '*', target)}`;
  if (/^\^[^\s|]+$/.test(spec)) return `^${target}`;
  if (/^~[^\s|>]+$/.test(spec)) return `~${target}`;
  const exact = /^=?\s*v?(\d\S*)$/.exec(spec);
  if (exact && semver.valid(exact[1]!)) return target;
  if (NON_REGISTRY.test(spec) || (semver.validRange(spec) === null && !DIST_TAG.test(spec))) {
    throw new Error(`the spec "${previous}" does not come from the npm registry; change it by hand`);
  }
  return `^${target}`;
}

function parseManifest(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`package.json is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isObject(value)) throw new Error('package.json is not a JSON object');
  return value;
}

/** The first section declaring the package as a direct dependency, with its spec. */
export function directDependency(
  manifest: Record<string, unknown>,
  packageName: string,
): { section: DirectSection; spec: string } | null {
  for (const section of DIRECT_SECTIONS) {
    const deps = manifest[section];
    if (isObject(deps) && typeof deps[packageName] === 'string') return { section, spec: deps[packageName] };
  }
  return null;
}

/**
 * Whether package.json names the package (a dependency section or `overrides`) or the lockfile installs it:
 * a package named nowhere is most likely a typo, and changing or checking it would prove nothing.
 */
export function mentionsPackage(packageJson: string, lockfile: string | null, packageName: string): boolean {
  const manifest = parseManifest(packageJson);
  const inManifest = [...DIRECT_SECTIONS, 'overrides'].some((section) => {
    const deps = manifest[section];
    return isObject(deps) && Object.hasOwn(deps, packageName);
  });
  return inManifest || (lockfile !== null && installedInstances(parseLockfile(lockfile), packageName).length > 0);
}

type Change = { edit: TextEdit; previousSpec: string | null };

/** Sets `overrides[packageName]` (or its `"."` entry when the override is nested) to the target. */
function overrideChange(
  text: string,
  root: JsonNode,
  manifest: Record<string, unknown>,
  packageName: string,
  target: string,
  layout: JsonLayout,
): Change {
  const value = JSON.stringify(target);
  if (root.type !== 'object') throw new Error('package.json is not a JSON object');
  const overrides = memberOf(root, 'overrides')?.value;
  if (!overrides) {
    const render = (indent: string, multiline: boolean) =>
      multiline
        ? `{${layout.newline}${indent}${layout.indent}${JSON.stringify(packageName)}${layout.colon}${value}` +
          `${layout.newline}${indent}}`
        : `{ ${JSON.stringify(packageName)}${layout.colon}${value} }`;
    return { edit: insertMemberEdit(text, root, 'overrides', render, layout), previousSpec: null };
  }
  if (overrides.type !== 'object' || !isObject(manifest.overrides)) {
    throw new Error('package.json "overrides" is not an object');
  }
  const existing = memberOf(overrides, packageName);
  const plain = () => value;
  if (!existing) return { edit: insertMemberEdit(text, overrides, packageName, plain, layout), previousSpec: null };
  const current = manifest.overrides[packageName];
  if (typeof current === 'string') {
    return { edit: { start: existing.value.start, end: existing.value.end, text: value }, previousSpec: current };
  }
  if (existing.value.type !== 'object' || !isObject(current)) {
    throw new Error(`package.json overrides["${packageName}"] is neither a string nor an object`);
  }
  const self = memberOf(existing.value, '.');
  if (!self) return { edit: insertMemberEdit(text, existing.value, '.', plain, layout), previousSpec: null };
  const previous = typeof current['.'] === 'string' ? current['.'] : null;
  return { edit: { start: self.value.start, end: self.value.end, text: value }, previousSpec: previous };
}

/** What the lockfile needs after the edit; see ManifestEditSchema.lockfile. */
function lockfileState(
  lockText: string | null | undefined,
  packageName: string,
  target: string,
  newSpec: string,
  direct: boolean,
) {
  if (lockText === null || lockText === undefined) return 'absent' as const;
  const lock = parseLockfile(lockText);
  const instances = installedInstances(lock, packageName).filter((instance) => semver.valid(instance.version));
  if (instances.some((instance) => semver.lt(instance.version, target))) return 'regenerate' as const;
  if (direct) {
    const recorded = rootSpec(lock, packageName);
    if (instances.length === 0 || (recorded !== null && recorded !== newSpec)) return 'regenerate' as const;
  }
  return 'unchanged' as const;
}

/**
 * Moves a package to `target` in package.json: a direct dependency gets its spec bumped in place; any
 * other (transitive) package gets an `overrides` entry. The edit touches only the changed text, so the
 * file keeps its indentation, key order, line endings and trailing newline. package-lock.json is never
 * edited (its integrity hashes cannot be known offline): `lockfile` says whether it must be regenerated.
 */
export function editNpmManifest(input: ManifestEditInput): ManifestEdit {
  const { packageJson, packageName, target } = input;
  if (!semver.valid(target)) throw new Error(`target "${target}" is not a valid npm version`);
  const manifest = parseManifest(packageJson);
  const root = readJsonSpans(packageJson);
  const layout = detectLayout(packageJson, root);
  const direct = directDependency(manifest, packageName);
  let section: ManifestEdit['section'];
  let change: Change;
  let newSpec: string;
  if (direct) {
    newSpec = bumpSpec(direct.spec, target);
    const member = memberOf(memberOf(root, direct.section)?.value, packageName)!;
    section = direct.section;
    change = {
      edit: { start: member.value.start, end: member.value.end, text: JSON.stringify(newSpec) },
      previousSpec: direct.spec,
    };
  } else {
    newSpec = target;
    section = 'overrides';
    change = overrideChange(packageJson, root, manifest, packageName, target, layout);
  }
  const after = applyEdits(packageJson, [change.edit]);
  return {
    files: [{ path: 'package.json', before: packageJson, after }],
    direct: direct !== null,
    section,
    previousSpec: change.previousSpec,
    newSpec,
    lockfile: lockfileState(input.lockfile, packageName, target, newSpec, direct !== null),
  };
}

const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Lines of a text, each keeping whether it ended with a newline (a diff must say when the last one does not). */
function linesOf(text: string): { line: string; eol: boolean }[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const last = parts.pop()!;
  const lines = parts.map((line) => ({ line, eol: true }));
  if (last !== '') lines.push({ line: last, eol: false });
  return lines;
}

/** Line operations from a longest-common-subsequence table over the part between the common prefix and suffix. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const n = midA.length;
  const m = midB.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = midA[i] === midB[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const ops: Op[] = a.slice(0, prefix).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ kind: ' ', line: midA[i++]! });
      j++;
    } else if (i < n && (j === m || table[i + 1]![j]! >= table[i]![j + 1]!)) {
      ops.push({ kind: '-', line: midA[i++]! });
    } else {
      ops.push({ kind: '+', line: midB[j++]! });
    }
  }
  for (const line of a.slice(a.length - suffix)) ops.push({ kind: ' ', line });
  return ops;
}

/**
 * A unified diff (`---`/`+++`, `@@` hunks with three lines of context) of one file, as `git apply` and
 * reviewers read it. Empty when nothing changed. Meant for manifests: the cost is quadratic in the size
 * of the changed region only.
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const a = linesOf(before);
  const b = linesOf(after);
  // A line without its final newline differs from the same line with one; mark it so the LCS sees that.
  const key = (entry: { line: string; eol: boolean }) => (entry.eol ? entry.line : `${entry.line}\u0000`);
  const ops = diffLines(a.map(key), b.map(key));
  const out = [`--- a/${path}`, `+++ b/${path}`];
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  let cursor = 0;
  while (cursor < changed.length) {
    const first = changed[cursor]!;
    let last = first;
    while (cursor + 1 < changed.length && changed[cursor + 1]! - last <= 2 * CONTEXT + 1) last = changed[++cursor]!;
    cursor++;
    const start = Math.max(0, first - CONTEXT);
    const end = Math.min(ops.length, last + CONTEXT + 1);
    let oldStart = 1;
    let newStart = 1;
    for (const op of ops.slice(0, start)) {
      if (op.kind !== '+') oldStart++;
      if (op.kind !== '-') newStart++;
    }
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((op) => op.kind !== '+').length;
    const newCount = hunk.filter((op) => op.kind !== '-').length;
    const range = (from: number, count: number) =>
      count === 1 ? `${from}` : `${count === 0 ? from - 1 : from},${count}`;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const op of hunk) {
      const noEol = op.line.endsWith('\u0000');
      out.push(`${op.kind}${noEol ? op.line.slice(0, -1) : op.line}`);
      if (noEol) out.push('\\ No newline at end of file');
    }
  }
  return `${out.join('\n')}\n`;
}
