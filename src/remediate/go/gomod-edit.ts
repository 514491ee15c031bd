import semver from 'semver';
import { type DependencyEdit, ManifestEditError, newlineOf } from '../dependency-edit.ts';
import { goModVersion, goSemver } from '../versioning.ts';

/** A `require` entry of go.mod, with the span of its version. */
export type GoRequire = {
  path: string;
  version: string;
  versionStart: number;
  versionEnd: number;
  indirect: boolean;
  /** 1-based line. */
  line: number;
  /** Index into `blocks` when written inside `require ( ... )`, else null. */
  block: number | null;
};

/** A `replace old [v] => new [v]` directive. */
export type GoReplace = {
  from: string;
  fromVersion: string | null;
  to: string;
  toVersion: string | null;
  line: number;
};

/** A `require ( ... )` block: where its closing parenthesis line starts, and its entries. */
export type GoRequireBlock = { closeLineStart: number; entries: GoRequire[] };

export type GoMod = {
  requires: GoRequire[];
  replaces: GoReplace[];
  excludes: { path: string; version: string }[];
  blocks: GoRequireBlock[];
  /** Offset just after the last single-line `require` directive's line, if any. */
  lastRequireLineEnd: number | null;
};

const unquote = (token: string) =>
  token.startsWith('"') && token.endsWith('"') ? (JSON.parse(token) as string) : token;

/**
 * Reads go.mod's `require`, `replace` and `exclude` directives, in single-line and block form, keeping
 * the offsets an edit needs. Comments are ignored except `// indirect` on a requirement.
 */
export function readGoMod(text: string): GoMod {
  const mod: GoMod = { requires: [], replaces: [], excludes: [], blocks: [], lastRequireLineEnd: null };
  let block: string | null = null;
  let offset = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const lineOffset = offset;
    offset += raw.length + 1;
    const code = raw.replace(/\r$/, '');
    const comment = code.indexOf('//');
    const body = comment >= 0 ? code.slice(0, comment) : code;
    const indirect = comment >= 0 && /^\/\/\s*indirect\b/.test(code.slice(comment));
    if (block !== null) {
      if (body.trim() === ')') {
        if (block === 'require') mod.blocks.at(-1)!.closeLineStart = lineOffset;
        block = null;
        continue;
      }
      readEntry(mod, block, body, lineOffset, index + 1, indirect, block === 'require' ? mod.blocks.length - 1 : null);
      continue;
    }
    const opening = /^\s*(\w+)\s*\(\s*$/.exec(body);
    if (opening) {
      block = opening[1]!;
      if (block === 'require') mod.blocks.push({ closeLineStart: text.length, entries: [] });
      continue;
    }
    const single = /^(\s*(\w+)\s+)(.*)$/.exec(body);
    if (single && ['require', 'replace', 'exclude'].includes(single[2]!)) {
      readEntry(mod, single[2]!, ' '.repeat(single[1]!.length) + single[3]!, lineOffset, index + 1, indirect, null);
      if (single[2] === 'require') mod.lastRequireLineEnd = Math.min(offset, text.length);
    }
  }
  return mod;
}

function readEntry(
  mod: GoMod,
  keyword: string,
  body: string,
  lineOffset: number,
  line: number,
  indirect: boolean,
  block: number | null,
) {
  const tokens = [...body.matchAll(/"[^"]*"|\S+/g)].map((m) => ({ text: m[0], start: lineOffset + m.index }));
  if (keyword === 'require' && tokens.length >= 2) {
    const [path, version] = tokens as [(typeof tokens)[number], (typeof tokens)[number]];
    const entry: GoRequire = {
      path: unquote(path.text),
      version: version.text,
      versionStart: version.start,
      versionEnd: version.start + version.text.length,
      indirect,
      line,
      block,
    };
    mod.requires.push(entry);
    if (block !== null) mod.blocks[block]!.entries.push(entry);
  } else if (keyword === 'replace') {
    const arrow = tokens.findIndex((token) => token.text === '=>');
    if (arrow < 1) return;
    const left = tokens.slice(0, arrow).map((t) => unquote(t.text));
    const right = tokens.slice(arrow + 1).map((t) => unquote(t.text));
    mod.replaces.push({
      from: left[0]!,
      fromVersion: left[1] ?? null,
      to: right[0] ?? '',
      toVersion: right[1] ?? null,
      line,
    });
  } else if (keyword === 'exclude' && tokens.length >= 2) {
    mod.excludes.push({ path: unquote(tokens[0]!.text), version: tokens[1]!.text });
  }
}

/**
 * A Go module's major version is part of its path from v2 on (`example.com/m/v2`; `gopkg.in/x.v3`): a
 * version whose major the path does not carry is not a version of this module (except `+incompatible`).
 */
export function assertModuleMajor(path: string, version: string): void {
  const bare = goSemver(version);
  if (bare === null) throw new ManifestEditError(`"${version}" is not a Go module version`);
  const major = semver.major(bare);
  const gopkg = /^gopkg\.in\/.+\.v(\d+)(?:-unstable)?$/.exec(path);
  const suffix = /\/v(\d+)$/.exec(path);
  const expected = gopkg ? Number(gopkg[1]) : suffix && Number(suffix[1]) >= 2 ? Number(suffix[1]) : null;
  if (expected !== null ? major !== expected : major >= 2 && !bare.endsWith('+incompatible')) {
    const wanted = gopkg ? `${expected}` : expected !== null ? `${expected}` : '0 or 1';
    throw new ManifestEditError(
      `${path} only has versions of major ${wanted}; ${version} belongs to another module path ` +
        `(${path.replace(/\/v\d+$/, '')}/v${major}), which is a code change, not a version bump`,
    );
  }
}

export type GoModEditInput = { goMod: string; goSum?: string | null; module: string; target: string };

const goCompare = (a: string, b: string) => semver.compare(goSemver(a) ?? '0.0.0', goSemver(b) ?? '0.0.0');

/**
 * Moves a module to `target` in go.mod: every `require` of it below the target (single line or in a
 * block) gets the new version, `// indirect` and other comments kept. A module go.mod does not require
 * (transitive, with an older go directive) is added as `// indirect` to the require block holding the
 * indirect requirements (or the last one). A `replace` of the module or an `exclude` of the target is
 * refused (ManifestEditError). go.sum is never edited: it must be regenerated with `go mod tidy`.
 */
export function editGoMod(input: GoModEditInput): DependencyEdit {
  const { goMod: text, module } = input;
  const target = goModVersion(input.target);
  if (target === null) throw new ManifestEditError(`"${input.target}" is not a Go module version`);
  assertModuleMajor(module, target);
  const mod = readGoMod(text);
  const replaced = mod.replaces.find((replace) => replace.from === module);
  if (replaced) {
    throw new ManifestEditError(
      `go.mod line ${replaced.line} replaces ${module} with ${replaced.to} ${replaced.toVersion ?? ''}`.trimEnd() +
        '; change the replace directive by hand',
    );
  }
  if (mod.excludes.some((exclude) => exclude.path === module && goCompare(exclude.version, target) === 0)) {
    throw new ManifestEditError(`go.mod excludes ${module} ${target}; remove the exclude first`);
  }
  const newline = newlineOf(text);
  const requires = mod.requires.filter((require) => require.path === module);
  const below = requires.filter(
    (require) => goSemver(require.version) === null || goCompare(require.version, target) < 0,
  );
  let after = text;
  const notes: string[] = [];
  if (requires.length === 0) {
    const indirectBlock = mod.blocks.find((b) => b.entries.length && b.entries.every((entry) => entry.indirect));
    const block = indirectBlock ?? mod.blocks.at(-1);
    const line = `${module} ${target} // indirect`;
    let at: number;
    let insert: string;
    if (block) {
      const last = block.entries.at(-1);
      const indent = last ? /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', last.versionStart) + 1))![0] : '\t';
      at = block.closeLineStart;
      insert = `${indent}${line}${newline}`;
    } else if (mod.lastRequireLineEnd !== null) {
      at = mod.lastRequireLineEnd;
      insert = `require ${line}${newline}`;
    } else {
      at = text.length;
      insert = `${text.endsWith('\n') || text === '' ? '' : newline}${newline}require ${line}${newline}`;
    }
    after = text.slice(0, at) + insert + text.slice(at);
    notes.push(`${module} was not required in go.mod (it is transitive); it is now required as // indirect.`);
  } else {
    for (const require of [...below].sort((a, b) => b.versionStart - a.versionStart)) {
      after = after.slice(0, require.versionStart) + target + after.slice(require.versionEnd);
    }
  }
  const lowest = [...requires].sort((a, b) => goCompare(a.version, b.version))[0];
  const reference = below[0] ?? lowest ?? null;
  let lockfile: DependencyEdit['lockfile'] = 'absent';
  if (input.goSum !== null && input.goSum !== undefined) {
    const has = (suffix: string) => input.goSum!.includes(`${module} ${target}${suffix} h1:`);
    lockfile = has('') && has('/go.mod') ? 'unchanged' : 'regenerate';
  }
  return {
    files: [{ path: 'go.mod', before: text, after }],
    direct: requires.some((require) => !require.indirect),
    section: 'require',
    previousSpec: reference?.version ?? null,
    previousVersion: reference && goSemver(reference.version) !== null ? reference.version : null,
    newSpec: target,
    lockfile,
    lockfileName: input.goSum === null || input.goSum === undefined ? null : 'go.sum',
    notes,
  };
}
