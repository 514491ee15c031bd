import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import type { Source } from '../format.ts';

/** What a Snyk project states about itself; Snyk writes it after the (large) issue array. */
export type SnykProject = {
  projectName?: string;
  displayTargetFile?: string;
  targetFile?: string;
  packageManager?: string;
  /** The first dependency path's root, e.g. `docker-image|nginx@1.25` for a container scan. */
  rootPackage?: string;
  error?: string;
};

/**
 * Where projects sit: the document itself (or each element of an `--all-projects` array), and
 * the `applications` a container scan found inside the image.
 */
export function projectPaths(root: '{' | '['): string[] {
  return root === '[' ? ['$.*', '$.*.applications.*'] : ['$', '$.applications.*'];
}

const FIELDS = ['projectName', 'displayTargetFile', 'targetFile', 'packageManager', 'error', 'ok'] as const;

/** `/0/applications/2/projectName` -> `/0/applications/2`. */
export function parentPointer(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

/**
 * First pass over the report: each project's small top-level members, keyed by the project's
 * JSON pointer ('' for a single project). Issue arrays are not requested, so nothing large is
 * kept. A project is known by its `ok` flag, which Snyk always writes.
 */
export async function collectProjects(
  source: Source,
  format: string,
  prefixes: string[],
): Promise<Map<string, SnykProject>> {
  const paths = prefixes.flatMap((prefix) => [
    ...FIELDS.map((field) => `${prefix}.${field}`),
    `${prefix}.vulnerabilities.0.from.0`,
  ]);
  const projects = new Map<string, SnykProject>();
  const projectAt = (pointer: string): SnykProject => {
    const known = projects.get(pointer);
    if (known) return known;
    const project: SnykProject = {};
    projects.set(pointer, project);
    return project;
  };
  for await (const { pointer, value } of streamJson(source, format, paths)) {
    const rootPackage = /^(.*)\/vulnerabilities\/0\/from\/0$/.exec(pointer);
    if (rootPackage) {
      if (typeof value === 'string') projectAt(rootPackage[1]!).rootPackage = value;
      continue;
    }
    const field = pointer.slice(pointer.lastIndexOf('/') + 1) as (typeof FIELDS)[number];
    const project = projectAt(parentPointer(pointer));
    if (field === 'ok') continue;
    if (field === 'error') {
      project.error = typeof value === 'string' ? value : JSON.stringify(value);
      continue;
    }
    if (typeof value !== 'string') {
      throw new IngestError({ format, file: source.name, pointer, message: `expected "${field}" to be a string` });
    }
    project[field] = value;
  }
  return projects;
}
