import type { Advisory } from '../../domain/advisory.ts';
import { type DependencyCheck, type FoundVersion, judgeDependency } from '../dependency-check.ts';
import { declarationsOf, mavenFloor, readPom, resolveText } from './pom-model.ts';

export type MavenCheckInput = { pom: string; packageName: string; advisories: readonly Advisory[] };

/** Whether pom.xml declares the artifact anywhere (dependencies, dependencyManagement, profiles). */
export function pomMentions(pom: string, packageName: string): boolean {
  return declarationsOf(readPom(pom), packageName).length > 0;
}

/**
 * Re-checks a Maven artifact from pom.xml: every declaration's version (a literal, a `${property}` this
 * POM defines, or a range's lower bound) against the advisories; affected if any admits an affected
 * version. A declaration without a version is covered by this POM's dependencyManagement when it pins
 * one; otherwise its version comes from a parent or BOM this file does not show, and the check is
 * pending (only a scan of the built project can tell). Maven has no lockfile.
 */
export function checkMavenDependency(input: MavenCheckInput): DependencyCheck {
  const model = readPom(input.pom);
  const declarations = declarationsOf(model, input.packageName);
  const declared: FoundVersion[] = [];
  const unread: string[] = [];
  const managed = declarations.some((d) => d.managed && d.projectLevel && d.version);
  for (const declaration of declarations) {
    const source = `pom.xml ${declaration.section}`;
    if (!declaration.version) {
      if (!managed) unread.push(`${source} (no version: a parent or BOM manages it)`);
      continue;
    }
    const resolved = resolveText(model, declaration.version.raw);
    const floor = resolved === null ? null : mavenFloor(resolved);
    if (floor === null) unread.push(`${source} "${declaration.version.raw}"`);
    else declared.push({ source, version: floor });
  }
  return judgeDependency({
    ecosystem: 'Maven',
    packageName: input.packageName,
    advisories: input.advisories,
    manifestName: 'pom.xml',
    declared,
    unread,
    lockfileName: null,
    locked: [],
  });
}
