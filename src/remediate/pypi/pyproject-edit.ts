import * as pep440 from '@renovatebot/pep440';
import { parse as parseToml } from 'smol-toml';
import { type DependencyEdit, ManifestEditError } from '../dependency-edit.ts';
import { assertValidVersion, samePackage } from '../versioning.ts';
import { bumpPep440Spec, bumpPoetrySpec, parseRequirement, pep440Floor, poetryFloor } from './specifiers.ts';
import { readTables, renderString, type TomlEntry, type TomlNode } from './toml-text.ts';

type StringNode = Extract<TomlNode, { type: 'string' }>;

/** One declaration of a package in pyproject.toml, located in the text. */
export type PyprojectDeclaration = {
  /** `project.dependencies`, `project.optional-dependencies.dev`, `tool.poetry.dependencies`, ... */
  section: string;
  style: 'pep508' | 'poetry';
  spec: string;
  floor: string | null;
  /** The string holding the spec (a PEP 508 string, a Poetry constraint or its `version` key); null if none. */
  node: StringNode | null;
  /** Why it cannot be edited automatically (a URL, git or path source, multiple constraints), if so. */
  problem: string | null;
};

const key = (parts: readonly string[]) => parts.join('.');

/** The tables whose keys are Poetry dependencies. */
const isPoetryTable = (name: string) =>
  name === 'tool.poetry.dependencies' ||
  name === 'tool.poetry.dev-dependencies' ||
  /^tool\.poetry\.group\.[^.]+\.dependencies$/.test(name);

function parseDocument(text: string): void {
  try {
    parseToml(text);
  } catch (error) {
    throw new ManifestEditError(`pyproject.toml is not valid TOML (${(error as Error).message})`, error);
  }
}

/** PEP 621 / PEP 735 arrays of PEP 508 strings: (section name, array node). */
function pep508Arrays(text: string): { section: string; array: Extract<TomlNode, { type: 'array' }> }[] {
  const arrays: { section: string; array: Extract<TomlNode, { type: 'array' }> }[] = [];
  for (const table of readTables(text)) {
    const name = key(table.name);
    for (const entry of table.entries) {
      const full = key([...table.name, ...entry.key]);
      const wanted =
        full === 'project.dependencies' ||
        (name === 'project.optional-dependencies' && entry.key.length === 1) ||
        (name === 'dependency-groups' && entry.key.length === 1);
      if (wanted && entry.value.type === 'array') arrays.push({ section: full, array: entry.value });
    }
  }
  return arrays;
}

function poetryDeclaration(section: string, entry: TomlEntry): PyprojectDeclaration {
  const base = { section, style: 'poetry' as const };
  const value = entry.value;
  if (value.type === 'string')
    return { ...base, spec: value.value, floor: poetryFloor(value.value), node: value, problem: null };
  if (value.type === 'inline-table') {
    const version = value.entries.find((e) => key(e.key) === 'version')?.value;
    const source = value.entries.find((e) => ['git', 'path', 'url'].includes(key(e.key)));
    if (source)
      return { ...base, spec: '', floor: null, node: null, problem: `it comes from a ${key(source.key)} source` };
    if (version?.type === 'string') {
      return { ...base, spec: version.value, floor: poetryFloor(version.value), node: version, problem: null };
    }
    return { ...base, spec: '*', floor: '0', node: null, problem: 'its table has no version key' };
  }
  return { ...base, spec: '', floor: null, node: null, problem: 'it has several constraints (an array)' };
}

/** Every declaration of the package in pyproject.toml (PEP 621, PEP 735 and Poetry tables). */
export function pyprojectDeclarations(text: string, packageName: string): PyprojectDeclaration[] {
  parseDocument(text);
  const found: PyprojectDeclaration[] = [];
  for (const { section, array } of pep508Arrays(text)) {
    for (const item of array.items) {
      if (item.type !== 'string') continue;
      const requirement = parseRequirement(item.value);
      if (!requirement || !samePackage('PyPI', requirement.name, packageName)) continue;
      found.push({
        section,
        style: 'pep508',
        spec: requirement.spec,
        floor: requirement.url === null ? pep440Floor(requirement.spec) : null,
        node: item,
        problem: requirement.url === null ? null : `it is installed from ${requirement.url}`,
      });
    }
  }
  for (const table of readTables(text)) {
    const name = key(table.name);
    if (!isPoetryTable(name)) continue;
    for (const entry of table.entries) {
      if (entry.key.length === 1 && entry.key[0] !== 'python' && samePackage('PyPI', entry.key[0]!, packageName)) {
        found.push(poetryDeclaration(name, entry));
      }
    }
  }
  return found;
}

export type PyprojectEditInput = {
  text: string;
  packageName: string;
  target: string;
  /** The lockfile found next to pyproject.toml (poetry.lock, uv.lock, pdm.lock), if any. */
  lockfile?: { name: string; text: string } | null;
};

/** Appends a PEP 508 string to a `project.dependencies` array, following its one-line or one-per-line layout. */
function appendToArray(text: string, array: Extract<TomlNode, { type: 'array' }>, item: string) {
  const last = array.items.at(-1);
  if (!last) return { start: array.start, end: array.end, text: `[${item}]` };
  const multiline = /\n/.test(text.slice(array.start, array.items[0]!.start));
  if (!multiline) return { start: last.end, end: last.end, text: `, ${item}` };
  const lineStart = text.lastIndexOf('\n', last.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const trailingComma = /^\s*,/.exec(text.slice(last.end));
  if (trailingComma) {
    const at = last.end + trailingComma[0].length;
    return { start: at, end: at, text: `${newline}${indent}${item},` };
  }
  return { start: last.end, end: last.end, text: `,${newline}${indent}${item}` };
}

/**
 * Moves a package to `target` in pyproject.toml: PEP 621 `dependencies` (and optional / PEP 735 groups)
 * strings get their specifier bumped as in a requirements file; Poetry `name = "^X"` and
 * `name = { version = "^X" }` keep their operator. Only the changed string is rewritten (same quote
 * style), never the document. A package not declared anywhere (transitive) is added to
 * `project.dependencies` with `>=target`; a Poetry-only project must be given that constraint by hand.
 * The lockfile (poetry.lock, uv.lock, pdm.lock) records the manifest, so it must be regenerated.
 */
export function editPyproject(input: PyprojectEditInput): DependencyEdit {
  const { text, packageName, target } = input;
  assertValidVersion('PyPI', target);
  const declarations = pyprojectDeclarations(text, packageName);
  const lockfile = input.lockfile ? ('regenerate' as const) : ('absent' as const);
  const base = { lockfile, lockfileName: input.lockfile?.name ?? null, notes: [] as string[] };
  const file = (after: string) => [{ path: 'pyproject.toml', before: text, after }];

  if (declarations.length === 0) {
    const dependencies = pep508Arrays(text).find(({ section }) => section === 'project.dependencies');
    if (!dependencies) {
      throw new ManifestEditError(
        `${packageName} is not declared in pyproject.toml and there is no [project] dependencies array to ` +
          'add it to; add the constraint by hand (e.g. a Poetry dependency)',
      );
    }
    const newSpec = `>=${target}`;
    const edit = appendToArray(text, dependencies.array, JSON.stringify(`${packageName}${newSpec}`));
    return {
      ...base,
      files: file(text.slice(0, edit.start) + edit.text + text.slice(edit.end)),
      direct: false,
      section: 'project.dependencies',
      previousSpec: null,
      previousVersion: null,
      newSpec,
      notes: [`${packageName} was not declared; project.dependencies now sets its floor (it is transitive).`],
    };
  }
  const blocked = declarations.find((declaration) => declaration.problem !== null);
  if (blocked) {
    throw new ManifestEditError(
      `${packageName} in ${blocked.section} cannot be bumped automatically: ${blocked.problem}; change it by hand`,
    );
  }
  const below = declarations.filter((d) => d.floor === null || pep440.compare(d.floor, target) < 0);
  const edits: { start: number; end: number; text: string }[] = [];
  let newSpec = '';
  for (const declaration of below) {
    const node = declaration.node!;
    let value: string;
    let spec: string;
    if (declaration.style === 'poetry') {
      spec = bumpPoetrySpec(declaration.spec, target);
      value = spec;
    } else {
      const requirement = parseRequirement(node.value)!;
      spec = bumpPep440Spec(requirement.spec, target);
      value = node.value.slice(0, requirement.specStart) + spec + node.value.slice(requirement.specEnd);
    }
    newSpec ||= spec;
    edits.push({ start: node.start, end: node.end, text: renderString(value, node) });
  }
  let after = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    after = after.slice(0, edit.start) + edit.text + after.slice(edit.end);
  }
  const lowest = [...declarations].sort((a, b) => pep440.compare(a.floor ?? '0', b.floor ?? '0'))[0]!;
  const reference = below[0] ?? lowest;
  return {
    ...base,
    files: file(after),
    direct: true,
    section: reference.section,
    previousSpec: reference.spec,
    previousVersion: reference.floor,
    newSpec: newSpec || reference.spec,
    lockfile: edits.length ? lockfile : base.lockfile,
    notes: below.length > 1 ? [`${below.length} declarations of ${packageName} were raised.`] : [],
  };
}
