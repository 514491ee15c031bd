import type { z } from 'zod';
import type { AssetIdentifier, AssetIdentifierKind } from '../../domain/asset.ts';
import type { FindingSchema } from '../../domain/finding.ts';

/** What the report says about the scanned artifact: its top-level fields, read before `Results`. */
export type ArtifactContext = {
  name?: string;
  type?: string;
  imageId?: string;
  repoTags: string[];
  repoDigests: string[];
  repoUrl?: string;
  /** Kubernetes reports name the cluster instead of an artifact. */
  cluster?: string;
  toolVersion?: string;
};

/** A workload of a Kubernetes report (`Resources[]`, or the older `Vulnerabilities[]`/`Misconfigurations[]`). */
export type ResourceContext = {
  namespace?: string;
  kind?: string;
  name?: string;
  /** The workload's image, learned from the first of its result targets that names one. */
  image?: string;
};

/** One entry of `Results`: a file, an image's OS packages, a language lockfile or a k8s object. */
export type ResultContext = { target?: string; class?: string; type?: string };

/** Everything a mapper needs besides the record itself; built once per result. */
export type RecordContext = {
  artifact: ArtifactContext;
  result: ResultContext;
  /** `namespace/Kind/name` of the Kubernetes workload, if any. */
  resource: string | null;
  /** Where packages and secrets were seen: the image, else the workload or the scanned artifact. */
  hints: AssetIdentifier[];
  /** Where misconfigurations were seen: for Kubernetes the workload itself, not its image. */
  configHints: AssetIdentifier[];
};

/** `docker.io/library/redis:6.0.5`, `gcr.io/x/y:v2@sha256:...`: a lower-case image reference. */
const IMAGE_REFERENCE =
  /^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** Trivy names an image's OS-package result `<image> (<os> <version>)`. */
const TARGET_WITH_SUFFIX = /^(\S+) \([^()]+\)$/;

/**
 * The image named by a result target such as `gcr.io/app:v2 (debian 10.4)`. Kubernetes reports
 * and reports with an empty ArtifactName only name the image there.
 */
export function imageFromTarget(target: string | undefined): string | undefined {
  const match = target ? TARGET_WITH_SUFFIX.exec(target) : null;
  return match && IMAGE_REFERENCE.test(match[1]!) ? match[1] : undefined;
}

/** `namespace/Kind/name` (cluster-scoped objects have no namespace). */
export function resourceName(resource: ResourceContext): string | null {
  const parts = [resource.namespace, resource.kind, resource.name].filter(Boolean);
  return parts.length ? parts.join('/') : null;
}

/** `alpine@sha256:abc` and `sha256:abc` both identify the image by `sha256:abc`. */
function digestOf(reference: string): string | undefined {
  const at = reference.lastIndexOf('@');
  const digest = at >= 0 ? reference.slice(at + 1) : reference;
  return /^sha256:[a-f0-9]+$/i.test(digest) ? digest : undefined;
}

const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@)/i;

/** Collects identifiers once each, skipping empty values. */
class Hints {
  readonly list: AssetIdentifier[] = [];
  private readonly seen = new Set<string>();

  add(kind: AssetIdentifierKind, value: string | undefined | null): void {
    if (!value) return;
    const key = `${kind}\u0000${value}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ kind, value });
  }
}

/** Identifiers of the scanned artifact, from ArtifactName/ArtifactType and Metadata. */
function addArtifactHints(hints: Hints, artifact: ArtifactContext, result: ResultContext): void {
  switch (artifact.type) {
    case 'container_image':
      hints.add('image', artifact.name || imageFromTarget(result.target));
      for (const tag of artifact.repoTags) hints.add('image', tag);
      hints.add('image_digest', artifact.imageId && digestOf(artifact.imageId));
      for (const digest of artifact.repoDigests) hints.add('image_digest', digestOf(digest));
      return;
    case 'repository':
      hints.add(artifact.name && URL_LIKE.test(artifact.name) ? 'repository_url' : 'name', artifact.name);
      hints.add('repository_url', artifact.repoUrl);
      return;
    case undefined:
      // The legacy list form names no artifact; an OS target still names the image.
      hints.add('image', imageFromTarget(result.target));
      return;
    default:
      // filesystem, rootfs, vm, SBOM inputs: the path or name as given. A bare "." names nothing.
      if (artifact.name !== '.' && artifact.name !== './') hints.add('name', artifact.name);
  }
}

/** Builds the context shared by every record of one result. */
export function recordContext(
  artifact: ArtifactContext,
  resource: ResourceContext | undefined,
  result: ResultContext,
): RecordContext {
  if (!resource) {
    const hints = new Hints();
    addArtifactHints(hints, artifact, result);
    return { artifact, result, resource: null, hints: hints.list, configHints: hints.list };
  }
  const name = resourceName(resource);
  const resourceId = name && artifact.cluster ? `${artifact.cluster}/${name}` : name;
  const hints = new Hints();
  hints.add('image', imageFromTarget(result.target) ?? resource.image);
  hints.add('resource_id', resourceId);
  const configHints = new Hints();
  configHints.add('resource_id', resourceId);
  return { artifact, result, resource: name, hints: hints.list, configHints: configHints.list };
}

/** A finding as a parser emits it; the pipeline validates it against FindingSchema. */
export type FindingInput = z.input<typeof FindingSchema>;
