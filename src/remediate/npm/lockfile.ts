/** One installed copy of a package in package-lock.json, located by its node_modules path. */
export type LockInstance = { path: string; version: string };

type LockEntry = { version?: unknown; name?: unknown; dependencies?: unknown };
type Lockfile = { lockfileVersion?: unknown; packages?: unknown; dependencies?: unknown };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses package-lock.json text; throws a plain Error naming the problem when it is not a JSON object. */
export function parseLockfile(text: string): Lockfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`package-lock.json is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isObject(value)) throw new Error('package-lock.json is not a JSON object');
  return value;
}

const NODE_MODULES = 'node_modules/';

/** `npm:real@1.2.3` (an alias in a v1 lockfile) → the real name and version. */
function unalias(folderName: string, version: string): { name: string; version: string } {
  const alias = /^npm:(@?[^@]+)@(.+)$/.exec(version);
  return alias ? { name: alias[1]!, version: alias[2]! } : { name: folderName, version };
}

/**
 * Every installed copy of a package: from the `packages` map (lockfile v2/v3, preferred when present so
 * v2 files are not counted twice) or the nested `dependencies` tree (v1). Aliased installs count under
 * their real package name. Entries without a version (links, workspaces) are skipped.
 */
export function installedInstances(lock: Lockfile, packageName: string): LockInstance[] {
  if (isObject(lock.packages)) {
    return Object.entries(lock.packages).flatMap(([path, entry]) => {
      const at = path.lastIndexOf(NODE_MODULES);
      if (at < 0 || !isObject(entry) || typeof entry.version !== 'string') return [];
      const folder = path.slice(at + NODE_MODULES.length);
      const real = unalias(typeof entry.name === 'string' ? entry.name : folder, entry.version);
      return real.name === packageName ? [{ path, version: real.version }] : [];
    });
  }
  const found: LockInstance[] = [];
  const walk = (dependencies: unknown, parent: string) => {
    if (!isObject(dependencies)) return;
    for (const [folder, entry] of Object.entries(dependencies)) {
      if (!isObject(entry)) continue;
      const { version, dependencies: nested } = entry as LockEntry;
      const path = `${parent}${NODE_MODULES}${folder}`;
      if (typeof version === 'string') {
        const real = unalias(folder, version);
        if (real.name === packageName) found.push({ path, version: real.version });
      }
      walk(nested, `${path}/`);
    }
  };
  walk(lock.dependencies, '');
  return found;
}

const ROOT_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * The spec the lockfile's root entry (v2/v3 `packages[""]`) records for a direct dependency: npm compares
 * it with package.json, so a changed spec leaves the lockfile out of sync until it is regenerated.
 */
export function rootSpec(lock: Lockfile, packageName: string): string | null {
  const root = isObject(lock.packages) ? lock.packages[''] : undefined;
  if (!isObject(root)) return null;
  for (const section of ROOT_SECTIONS) {
    const deps = root[section];
    if (isObject(deps) && typeof deps[packageName] === 'string') return deps[packageName];
  }
  return null;
}
