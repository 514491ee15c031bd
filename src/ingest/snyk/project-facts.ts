import type { AssetIdentifier } from '../../domain/asset.ts';
import type { SnykProject } from './project-context.ts';

/** What every issue of one project shares: where it was found and in which manifest. */
export type ProjectFacts = {
  location: string | null;
  packageManager: string | null;
  assetHint: AssetIdentifier[];
};

const DOCKER_PREFIX = 'docker-image|';

/** `/0/applications/2` -> `/0`: an application found inside an image belongs to the image's scan. */
function imageScanPointer(pointer: string): string | null {
  const match = /^(.*)\/applications\/\d+$/.exec(pointer);
  return match ? match[1]! : null;
}

/**
 * The scanned image, from the dependency path's root (`docker-image|nginx@1.25` ->
 * `nginx:1.25`, or a digest) or, when the project has no issue, its name (`docker-image|nginx`).
 */
function imageHints(project: SnykProject): AssetIdentifier[] {
  const root = project.rootPackage?.startsWith(DOCKER_PREFIX) ? project.rootPackage.slice(DOCKER_PREFIX.length) : null;
  if (root) {
    const at = root.lastIndexOf('@');
    if (at <= 0) return [{ kind: 'image', value: root }];
    const [name, reference] = [root.slice(0, at), root.slice(at + 1)];
    if (reference.startsWith('sha256:')) {
      return [
        { kind: 'image', value: name },
        { kind: 'image_digest', value: reference },
      ];
    }
    return [{ kind: 'image', value: `${name}:${reference}` }];
  }
  if (project.projectName?.startsWith(DOCKER_PREFIX)) {
    return [{ kind: 'image', value: project.projectName.slice(DOCKER_PREFIX.length) }];
  }
  return [];
}

/**
 * Resolves a project's facts. A container scan names its image; an application inside an image
 * (`applications[]`) is seen in that image; other projects are known only by their name (Snyk's
 * CLI output carries no repository URL), which still keeps two projects of one report apart.
 */
export function projectFacts(pointer: string, projects: Map<string, SnykProject>): ProjectFacts {
  const project = projects.get(pointer) ?? {};
  const imagePointer = imageScanPointer(pointer);
  const image = imageHints(imagePointer === null ? project : (projects.get(imagePointer) ?? {}));
  const name = project.projectName?.startsWith(DOCKER_PREFIX) ? null : project.projectName;
  return {
    location: project.displayTargetFile ?? project.targetFile ?? null,
    packageManager: project.packageManager ?? null,
    assetHint: image.length ? image : name ? [{ kind: 'name', value: name }] : [],
  };
}
