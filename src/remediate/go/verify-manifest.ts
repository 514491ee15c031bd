import type { Advisory } from '../../domain/advisory.ts';
import { type DependencyCheck, type FoundVersion, judgeDependency } from '../dependency-check.ts';
import { goSemver } from '../versioning.ts';
import { readGoMod } from './gomod-edit.ts';

export type GoCheckInput = { goMod: string; module: string; advisories: readonly Advisory[] };

/** Whether go.mod requires or replaces the module. */
export function goModMentions(goMod: string, module: string): boolean {
  const mod = readGoMod(goMod);
  return mod.requires.some((r) => r.path === module) || mod.replaces.some((r) => r.from === module || r.to === module);
}

/**
 * Re-checks a Go module from go.mod, which is authoritative (minimal version selection builds with the
 * versions it requires; go.sum only holds hashes): every `require` of the module, and every `replace`
 * that pins it to a version, against the advisories. A replace by a local directory cannot be judged
 * from the file and leaves the check pending unless a required version already decides it.
 */
export function checkGoDependency(input: GoCheckInput): DependencyCheck {
  const mod = readGoMod(input.goMod);
  const declared: FoundVersion[] = [];
  const unread: string[] = [];
  for (const require of mod.requires.filter((r) => r.path === input.module)) {
    const source = `go.mod require${require.indirect ? ' (indirect)' : ''}`;
    if (goSemver(require.version) === null) unread.push(`${source} "${require.version}"`);
    else declared.push({ source, version: require.version });
  }
  for (const replace of mod.replaces.filter((r) => r.from === input.module || r.to === input.module)) {
    if (replace.to === input.module && replace.toVersion && goSemver(replace.toVersion) !== null) {
      declared.push({ source: `go.mod replace (line ${replace.line})`, version: replace.toVersion });
    } else if (replace.from === input.module) {
      unread.push(`go.mod line ${replace.line} replaces it with ${replace.to} ${replace.toVersion ?? ''}`.trimEnd());
    }
  }
  // A module replaced by another one is not built from its required version: only the replacement counts.
  const replacedAway = mod.replaces.some((r) => r.from === input.module && r.to !== input.module);
  return judgeDependency({
    ecosystem: 'Go',
    packageName: input.module,
    advisories: input.advisories,
    manifestName: 'go.mod',
    declared: replacedAway ? declared.filter((d) => d.source.startsWith('go.mod replace')) : declared,
    unread,
    lockfileName: null,
    locked: [],
  });
}
