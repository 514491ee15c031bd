import type { z } from 'zod';
import type { AssetIdentifier, AssetIdentifierKind } from '../../domain/asset.ts';
import type { FindingSchema } from '../../domain/finding.ts';

/** A finding as a parser emits it; the pipeline validates it against FindingSchema. */
export type FindingInput = z.input<typeof FindingSchema>;

/** What the whole report says, shared by every match: where it was seen, which Grype, which distro. */
export type ReportContext = {
  hints: AssetIdentifier[];
  toolVersion: string | null;
  /** `distro.name` (debian, ubuntu, alpine): the ecosystem of OS packages. */
  distro: string | null;
};

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function asString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/** `busybox@sha256:abc` and `sha256:abc` both identify the image by `sha256:abc`. */
function digestOf(reference: string): string | null {
  const digest = reference.slice(reference.lastIndexOf('@') + 1);
  return /^sha256:[a-f0-9]+$/i.test(digest) ? digest : null;
}

/**
 * Asset identifiers from `source`: an image by the name the user gave, its tags, and its
 * digests (image ID, manifest and repo digests, bare `sha256:` so other scanners' digests
 * meet them); a directory or file by its path (a bare "." names nothing).
 */
function hintsOf(source: Json): AssetIdentifier[] {
  const hints: AssetIdentifier[] = [];
  const seen = new Set<string>();
  const add = (kind: AssetIdentifierKind, value: string | null) => {
    if (!value || seen.has(`${kind}\u0000${value}`)) return;
    seen.add(`${kind}\u0000${value}`);
    hints.push({ kind, value });
  };
  if (source.type === 'image') {
    const target = asObject(source.target);
    add('image', asString(target.userInput));
    for (const tag of asStrings(target.tags)) add('image', tag);
    add('image_digest', digestOf(asString(target.imageID) ?? ''));
    add('image_digest', digestOf(asString(target.manifestDigest) ?? ''));
    for (const digest of asStrings(target.repoDigests)) add('image_digest', digestOf(digest));
    return hints;
  }
  const target = asString(source.target);
  if (target && target !== '.' && target !== './' && target !== 'unknown') add('name', target);
  return hints;
}

/** Builds the report context from the top-level `source`, `distro` and `descriptor`. */
export function reportContext(values: Map<string, unknown>): ReportContext {
  const descriptor = asObject(values.get('descriptor'));
  return {
    hints: hintsOf(asObject(values.get('source'))),
    toolVersion: asString(descriptor.version),
    distro: asString(asObject(values.get('distro')).name),
  };
}
