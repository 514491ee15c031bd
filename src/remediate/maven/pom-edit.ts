import { type DependencyEdit, indentAt, lineStart, ManifestEditError, newlineOf } from '../dependency-edit.ts';
import { assertValidVersion } from '../versioning.ts';
import { compareMavenVersions } from './comparable-version.ts';
import {
  declarationsOf,
  isProjectVersionProperty,
  mavenFloor,
  type PomDependency,
  type PomModel,
  propertyReference,
  readPom,
  resolveText,
} from './pom-model.ts';
import { childNamed, escapeXml, type XmlElement } from './xml-text.ts';

export type PomEditInput = { pom: string; packageName: string; target: string };

type TextEdit = { start: number; end: number; text: string };

/** The file's indentation step: how much deeper the project's children sit than `<project>` (two spaces by default). */
function indentUnit(text: string, project: XmlElement): string {
  const child = project.children[0];
  if (!child) return '  ';
  const own = indentAt(text, project.start);
  const inner = indentAt(text, child.start);
  return inner.startsWith(own) && inner.length > own.length ? inner.slice(own.length) : '  ';
}

/** Lines of a new element tree, the first unindented (the caller places it), the rest at `indent` plus depth. */
type Render = (indent: string) => string;

function elementBlock(name: string, inner: Render[], unit: string, newline: string): Render {
  return (indent) => {
    const children = inner.map((render) => `${newline}${indent}${unit}${render(indent + unit)}`).join('');
    return `<${name}>${children}${newline}${indent}</${name}>`;
  };
}

const leaf =
  (name: string, value: string): Render =>
  () =>
    `<${name}>${escapeXml(value)}</${name}>`;

/** An edit adding a child element at the end of `parent`, on its own line, indented like its siblings. */
function appendChild(text: string, parent: XmlElement, render: Render, unit: string, newline: string): TextEdit {
  const parentIndent = indentAt(text, parent.start);
  if (parent.selfClosing) {
    const name = parent.name;
    const body = `${newline}${parentIndent}${unit}${render(parentIndent + unit)}${newline}${parentIndent}`;
    return { start: parent.start, end: parent.end, text: `<${name}>${body}</${name}>` };
  }
  const last = parent.children.at(-1);
  if (last) {
    const indent = indentAt(text, last.start);
    return { start: last.end, end: last.end, text: `${newline}${indent}${render(indent)}` };
  }
  const indent = parentIndent + unit;
  const inner = text.slice(parent.openEnd, parent.closeStart);
  if (inner.trim() === '') {
    return {
      start: parent.openEnd,
      end: parent.closeStart,
      text: `${newline}${indent}${render(indent)}${newline}${parentIndent}`,
    };
  }
  return {
    start: parent.closeStart,
    end: parent.closeStart,
    text: `${unit}${render(indent)}${newline}${parentIndent}`,
  };
}

/** An edit adding a new child section of `<project>` before the first of `before` present (else at the end). */
function insertSection(text: string, model: PomModel, before: string[], render: Render, unit: string, newline: string) {
  const project = model.project;
  const anchor = before.map((name) => childNamed(project, name)).find((element) => element !== undefined);
  const indent = indentAt(text, project.start) + unit;
  if (anchor) {
    const at = lineStart(text, anchor.start);
    return { start: at, end: at, text: `${indent}${render(indent)}${newline}` };
  }
  return appendChild(text, project, render, unit, newline);
}

const dependencyRender = (groupId: string, artifactId: string, version: string, unit: string, newline: string) =>
  elementBlock(
    'dependency',
    [leaf('groupId', groupId), leaf('artifactId', artifactId), leaf('version', version)],
    unit,
    newline,
  );

/**
 * Moves a Maven artifact (`groupId:artifactId`) to `target` in pom.xml, editing only the text that changes:
 * - a declaration with a literal `<version>` below the target gets the target;
 * - a `${property}` version gets its `<properties>` entry raised (other artifacts using it move too, which
 *   the notes say), or a new one when the property comes from the parent;
 * - a package declared without a version (left to a parent or BOM) or not declared at all (transitive)
 *   gets a `<dependencyManagement>` entry, created with its section when absent, which overrides both.
 * Version ranges, composite versions and `${project.version}` are refused (ManifestEditError). Maven has no
 * lockfile.
 */
export function editPom(input: PomEditInput): DependencyEdit {
  const { pom: text, packageName, target } = input;
  assertValidVersion('Maven', target);
  const [groupId, artifactId, ...rest] = packageName.split(':');
  if (!groupId || !artifactId || rest.length) {
    throw new ManifestEditError(`"${packageName}" is not a Maven groupId:artifactId`);
  }
  const model = readPom(text);
  const newline = newlineOf(text);
  const unit = indentUnit(text, model.project);
  const declarations = declarationsOf(model, packageName);
  const edits: TextEdit[] = [];
  const notes: string[] = [];
  const editedProperties = new Set<string>();
  let section: string | null = null;
  const seen: { spec: string; floor: string | null }[] = [];
  const changed: { spec: string; floor: string | null }[] = [];
  const below = (floor: string | null) => floor === null || compareMavenVersions(floor, target) < 0;

  for (const declaration of declarations) {
    if (!declaration.version) continue;
    const raw = declaration.version.raw;
    const property = propertyReference(raw);
    if (property === null) {
      if (raw.includes('${'))
        throw new ManifestEditError(`${packageName} has the composite version "${raw}"; change it by hand`);
      const floor = mavenFloor(raw);
      if (/^[[(]/.test(raw))
        throw new ManifestEditError(`${packageName} declares the range "${raw}"; change it by hand`);
      seen.push({ spec: raw, floor });
      if (!below(floor)) continue;
      changed.push({ spec: raw, floor });
      section ??= declaration.section;
      edits.push({ start: declaration.version.start, end: declaration.version.end, text: escapeXml(target) });
      continue;
    }
    if (isProjectVersionProperty(property)) {
      throw new ManifestEditError(
        `${packageName} takes the project's own version (\${${property}}); change it by hand`,
      );
    }
    const resolved = resolveText(model, raw);
    const floor = resolved === null ? null : mavenFloor(resolved);
    seen.push({ spec: raw, floor });
    if (!below(floor) || editedProperties.has(property)) continue;
    changed.push({ spec: raw, floor });
    editedProperties.add(property);
    section ??= 'properties';
    const defined = model.properties.get(property);
    if (defined) {
      if (defined.value.includes('${')) {
        throw new ManifestEditError(`property ${property} is itself "${defined.value}"; change it by hand`);
      }
      edits.push({ start: defined.start, end: defined.end, text: escapeXml(target) });
      const others = model.dependencies
        .filter((d) => d.version?.raw.includes(`\${${property}}`) && `${d.groupId}:${d.artifactId}` !== packageName)
        .map((d) => `${d.groupId}:${d.artifactId}`);
      const shared = [...new Set(others)];
      const uses = text.split(`\${${property}}`).length - 2;
      if (shared.length) notes.push(`property ${property} also sets the version of ${shared.join(', ')}.`);
      else if (uses > 0)
        notes.push(`property ${property} is used ${uses} more time(s) in pom.xml (plugins, profiles).`);
    } else {
      const render = leaf(property, target);
      const properties = childNamed(model.project, 'properties');
      edits.push(
        properties
          ? appendChild(text, properties, render, unit, newline)
          : insertSection(
              text,
              model,
              ['dependencyManagement', 'dependencies', 'build'],
              elementBlock('properties', [render], unit, newline),
              unit,
              newline,
            ),
      );
      notes.push(`property ${property} came from the parent POM; it is now set in this POM.`);
    }
  }

  const managedWithVersion = declarations.some((d) => d.managed && d.projectLevel && d.version);
  const versionless = declarations.filter((d) => !d.version);
  const needsManagement = !managedWithVersion && (declarations.length === 0 || versionless.length > 0);
  if (needsManagement) {
    section ??= 'dependencyManagement';
    const entry = dependencyRender(groupId, artifactId, target, unit, newline);
    const management = childNamed(model.project, 'dependencyManagement');
    const list = childNamed(management, 'dependencies');
    if (list) edits.push(appendChild(text, list, entry, unit, newline));
    else if (management)
      edits.push(appendChild(text, management, elementBlock('dependencies', [entry], unit, newline), unit, newline));
    else {
      const block = elementBlock(
        'dependencyManagement',
        [elementBlock('dependencies', [entry], unit, newline)],
        unit,
        newline,
      );
      edits.push(
        insertSection(
          text,
          model,
          ['dependencies', 'build', 'reporting', 'repositories', 'profiles'],
          block,
          unit,
          newline,
        ),
      );
    }
    notes.push(
      declarations.length === 0
        ? `${packageName} is not declared in this POM (it is transitive); dependencyManagement now pins it.`
        : `${packageName} had no version here (a parent or BOM managed it); dependencyManagement now pins it.`,
    );
  }

  let after = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    after = after.slice(0, edit.start) + edit.text + after.slice(edit.end);
  }
  // The declaration the change is about: the first one changed, else the lowest already there.
  const lowest = [...seen].sort((a, b) => compareMavenVersions(a.floor ?? '0', b.floor ?? '0'))[0];
  const previous = changed[0] ?? lowest ?? null;
  return {
    files: [{ path: 'pom.xml', before: text, after }],
    direct: declarations.some((d: PomDependency) => !d.managed),
    section: section ?? declarations[0]?.section ?? 'dependencyManagement',
    previousSpec: previous?.spec ?? null,
    previousVersion: previous?.floor ?? null,
    newSpec: target,
    lockfile: 'absent',
    lockfileName: null,
    notes,
  };
}
