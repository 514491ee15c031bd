import { ManifestEditError } from '../dependency-edit.ts';
import { compareMavenVersions, isMavenVersion } from './comparable-version.ts';
import { childNamed, childrenNamed, readXml, textOf, type XmlElement } from './xml-text.ts';

/** A `<dependency>` of the POM with its coordinates resolved and its `<version>` located. */
export type PomDependency = {
  element: XmlElement;
  /** `dependencies`, `dependencyManagement`, `profile <id> dependencies`, ... */
  section: string;
  /** True for `<dependencyManagement>` entries (of the project or a profile). */
  managed: boolean;
  /** True outside profiles: what a plain build uses. */
  projectLevel: boolean;
  groupId: string;
  artifactId: string;
  /** The `<version>` element's text as written, and its span; null when the POM leaves it to a parent or BOM. */
  version: { raw: string; start: number; end: number } | null;
};

/** A property of `<properties>` (project level) with its value's span. */
export type PomProperty = { name: string; value: string; start: number; end: number; element: XmlElement };

/** The parts of a POM an edit or a check reads. */
export type PomModel = {
  project: XmlElement;
  properties: Map<string, PomProperty>;
  dependencies: PomDependency[];
  /** The project's own version and groupId (or its parent's), for `${project.version}` and friends. */
  projectVersion: string | null;
  projectGroupId: string | null;
};

const PROJECT_VERSION = new Set([
  'project.version',
  'pom.version',
  'version',
  'project.parent.version',
  'parent.version',
]);
const PROJECT_GROUP = new Set([
  'project.groupId',
  'pom.groupId',
  'groupId',
  'project.parent.groupId',
  'parent.groupId',
]);

/** `${name}` when the whole text is one property reference, else null. */
export function propertyReference(raw: string): string | null {
  return /^\$\{([^}]+)\}$/.exec(raw.trim())?.[1] ?? null;
}

/** Whether a property names the project's own version (editing it would re-version the project). */
export const isProjectVersionProperty = (name: string) => PROJECT_VERSION.has(name);

/** Reads the POM text into its project element, properties and every dependency declaration. */
export function readPom(text: string): PomModel {
  const project = readXml(text);
  if (project.name.replace(/^.*:/, '') !== 'project') {
    throw new ManifestEditError(`the root element is <${project.name}>, not <project>: not a POM`);
  }
  const textValue = (element: XmlElement | undefined) => (element ? textOf(text, element).value : null);
  const properties = new Map<string, PomProperty>();
  for (const element of childNamed(project, 'properties')?.children ?? []) {
    const { value, start, end } = textOf(text, element);
    properties.set(element.name, { name: element.name, value, start, end, element });
  }
  const parent = childNamed(project, 'parent');
  const projectVersion = textValue(childNamed(project, 'version')) ?? textValue(childNamed(parent, 'version'));
  const projectGroupId = textValue(childNamed(project, 'groupId')) ?? textValue(childNamed(parent, 'groupId'));
  const model: PomModel = { project, properties, dependencies: [], projectVersion, projectGroupId };

  const collect = (container: XmlElement | undefined, section: string, managed: boolean, projectLevel: boolean) => {
    for (const list of childrenNamed(container, 'dependencies')) {
      for (const element of childrenNamed(list, 'dependency')) {
        const versionElement = childNamed(element, 'version');
        const version = versionElement ? textOf(text, versionElement) : null;
        model.dependencies.push({
          element,
          section,
          managed,
          projectLevel,
          groupId: resolveText(model, textValue(childNamed(element, 'groupId')) ?? '') ?? '',
          artifactId: resolveText(model, textValue(childNamed(element, 'artifactId')) ?? '') ?? '',
          version: version ? { raw: version.value, start: version.start, end: version.end } : null,
        });
      }
    }
  };
  collect(project, 'dependencies', false, true);
  collect(childNamed(project, 'dependencyManagement'), 'dependencyManagement', true, true);
  for (const profile of childrenNamed(childNamed(project, 'profiles'), 'profile')) {
    const id = textValue(childNamed(profile, 'id')) ?? '?';
    collect(profile, `profile ${id} dependencies`, false, false);
    collect(childNamed(profile, 'dependencyManagement'), `profile ${id} dependencyManagement`, true, false);
  }
  return model;
}

/** Interpolates `${...}` references from the POM's own properties and coordinates; null if one is unknown. */
export function resolveText(model: PomModel, raw: string, depth = 0): string | null {
  if (depth > 10) return null;
  let unknown = false;
  const resolved = raw.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    let value: string | null | undefined = model.properties.get(name)?.value;
    if (value === undefined && PROJECT_VERSION.has(name)) value = model.projectVersion;
    if (value === undefined && PROJECT_GROUP.has(name)) value = model.projectGroupId;
    const inner = value === undefined || value === null ? null : resolveText(model, value, depth + 1);
    if (inner === null) unknown = true;
    return inner ?? '';
  });
  return unknown ? null : resolved;
}

/** The dependency declarations of a `groupId:artifactId` package. */
export function declarationsOf(model: PomModel, packageName: string): PomDependency[] {
  return model.dependencies.filter((dependency) => `${dependency.groupId}:${dependency.artifactId}` === packageName);
}

/**
 * The lowest version a POM version admits: the version itself, or the lower bound of a range
 * (`[1.2,2.0)` → 1.2; an open lower bound counts as `0`). Null when it is neither.
 */
export function mavenFloor(version: string): string | null {
  const text = version.trim();
  const range = /^[[(]\s*([^,\]\s)]*)\s*(?:,|[\])])/.exec(text);
  if (range) return range[1] ? (isMavenVersion(range[1]) ? range[1] : null) : '0';
  return isMavenVersion(text) ? text : null;
}

/** Maven's order on two floors. */
export const compareFloors = (a: string, b: string) => compareMavenVersions(a, b);
