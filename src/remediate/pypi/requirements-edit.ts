import * as pep440 from '@renovatebot/pep440';
import { type DependencyEdit, ManifestEditError, newlineOf } from '../dependency-edit.ts';
import { assertValidVersion, samePackage } from '../versioning.ts';
import { bumpPep440Spec, parseRequirement, pep440Floor, type Requirement } from './specifiers.ts';

/** One requirement line of a requirements file, located in the whole text. */
export type RequirementLine = Requirement & {
  /** 1-based line number, for evidence a person can find. */
  line: number;
  /** Offset of the line in the file: the requirement's spans are relative to it. */
  offset: number;
  /** The lowest version the specifier admits (null when unreadable or a URL). */
  floor: string | null;
};

/**
 * Every requirement of a requirements file in order. A line ending in `\` continues on the next one
 * (pip joins them; the continuation carries options such as `--hash`). Option lines (`-r`, `-c`, `-e`,
 * `--index-url`), comments and blanks are not requirements.
 */
export function readRequirements(text: string): RequirementLine[] {
  const found: RequirementLine[] = [];
  let offset = 0;
  let continued = false;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!continued) {
      // A requirement continued on the next lines is judged with them (hashes may sit there).
      let logical = line;
      for (let next = index; logical.trimEnd().endsWith('\\') && next + 1 < lines.length; next++) {
        logical = `${logical}\n${lines[next + 1]!.replace(/\r$/, '')}`;
      }
      const requirement = parseRequirement(line);
      if (requirement) {
        const hasHashes = requirement.hasHashes || /(^|\s)--hash[=\s]/.test(logical);
        const floor = requirement.url === null ? pep440Floor(requirement.spec) : null;
        found.push({ ...requirement, hasHashes, line: index + 1, offset, floor });
      }
    }
    continued = line.trimEnd().endsWith('\\') && !/^\s*#/.test(line);
    offset += raw.length + 1;
  }
  return found;
}

export type RequirementsEditInput = {
  /** The file's text and its name (for `section` and messages), e.g. requirements-dev.txt. */
  text: string;
  fileName: string;
  packageName: string;
  target: string;
};

const name = (fileName: string) => fileName.split('/').pop() ?? fileName;

/**
 * Moves a package to `target` in a requirements file: every line naming it (PEP 503 name comparison;
 * extras, markers and comments kept) whose floor is below the target gets its specifier bumped (an
 * exact pin stays exact, a range gets the target as floor and keeps its caps). A package the file does
 * not name (a transitive one) gets a line of its own, pinned like the rest of the file (`==` when every
 * line is an exact pin, `>=` otherwise). Lines installed from a URL or hash-pinned are refused (a
 * ManifestEditError): those must be changed by hand or regenerated (pip-compile --generate-hashes).
 */
export function editRequirements(input: RequirementsEditInput): DependencyEdit {
  const { text, packageName, target } = input;
  assertValidVersion('PyPI', target);
  const fileName = name(input.fileName);
  const all = readRequirements(text);
  const matches = all.filter((requirement) => samePackage('PyPI', requirement.name, packageName));
  const base = { direct: matches.length > 0, section: fileName, lockfile: 'absent', lockfileName: null } as const;

  if (matches.length === 0) {
    const pinned = all.length > 0 && all.every((requirement) => /^==[^,*]+$/.test(requirement.spec.replace(/\s/g, '')));
    const newSpec = `${pinned ? '==' : '>='}${target}`;
    const newline = newlineOf(text);
    const separator = text === '' || text.endsWith('\n') ? '' : newline;
    const after = `${text}${separator}${packageName}${newSpec}${newline}`;
    return {
      ...base,
      files: [{ path: fileName, before: text, after }],
      previousSpec: null,
      previousVersion: null,
      newSpec,
      notes: [
        `${packageName} was not listed in ${fileName}; a line now sets its version (it is a transitive dependency).`,
      ],
    };
  }
  const urls = matches.filter((requirement) => requirement.url !== null);
  if (urls.length) {
    throw new ManifestEditError(
      `${fileName} line ${urls[0]!.line} installs ${packageName} from ${urls[0]!.url}, not from the index; ` +
        'change it by hand',
    );
  }
  const below = matches.filter(
    (requirement) => requirement.floor === null || pep440.compare(requirement.floor, target) < 0,
  );
  const edits: { start: number; end: number; text: string }[] = [];
  let newSpec = '';
  for (const requirement of below) {
    if (requirement.hasHashes) {
      throw new ManifestEditError(
        `${fileName} line ${requirement.line} pins ${packageName} with --hash; regenerate the file ` +
          '(pip-compile --generate-hashes) instead of editing it',
      );
    }
    const spec = bumpPep440Spec(requirement.spec, target);
    newSpec ||= spec;
    edits.push({
      start: requirement.offset + requirement.specStart,
      end: requirement.offset + requirement.specEnd,
      text: spec,
    });
  }
  let after = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    after = after.slice(0, edit.start) + edit.text + after.slice(edit.end);
  }
  // The declaration the change is about: the first one changed, else the lowest already there.
  const lowestMatch = [...matches].sort((a, b) => pep440.compare(a.floor ?? '0', b.floor ?? '0'))[0]!;
  const reference = below[0] ?? lowestMatch;
  return {
    ...base,
    files: [{ path: fileName, before: text, after }],
    previousSpec: reference.spec,
    previousVersion: reference.floor,
    newSpec: newSpec || reference.spec,
    notes: below.length > 1 ? [`${below.length} lines of ${fileName} declare ${packageName}; each was raised.`] : [],
  };
}
