import { DockerfileParser, type From } from 'dockerfile-ast';
import { z } from 'zod';
import { ServiceError } from '../../domain/errors.ts';

/** Why a Dockerfile change could not be computed: a stable code the tool turns into a hint. */
export type DockerfileEditReason = 'invalid_target' | 'image_not_found';

/** The Dockerfile cannot be changed as asked (a malformed target, or no FROM uses the image): the input's fault. */
export class DockerfileEditError extends ServiceError {
  readonly reason: DockerfileEditReason;
  constructor(reason: DockerfileEditReason, message: string) {
    super(reason === 'invalid_target' ? 'DOCKERFILE_INVALID_TARGET' : 'DOCKERFILE_IMAGE_NOT_FOUND', message, {
      status: 422,
    });
    this.reason = reason;
  }
}

/** A repository as Docker names it: optional registry host[:port], then lowercase path components. */
export const IMAGE_REPOSITORY =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** `tag`, `tag@sha256:<64 hex>` or `@sha256:<64 hex>`: what a FROM moves to. */
export const IMAGE_TARGET =
  /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}))?$/;

/** An image reference split into its parts. `tag` is null when absent (Docker then pulls `latest`). */
export type ImageReference = { repository: string; tag: string | null; digest: string | null };

/** Splits `registry:5000/team/base:1.2@sha256:...` into repository, tag and digest. */
export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  const name = at === -1 ? reference : reference.slice(0, at);
  const digest = at === -1 ? null : reference.slice(at + 1);
  const colon = name.lastIndexOf(':');
  const tagged = colon > name.lastIndexOf('/');
  return { repository: tagged ? name.slice(0, colon) : name, tag: tagged ? name.slice(colon + 1) : null, digest };
}

/** Docker Hub's many spellings of one repository (`node`, `library/node`, `docker.io/library/node`) as one. */
export function normalizeRepository(repository: string): string {
  let name = repository.trim();
  const first = name.split('/')[0]!;
  if (name.includes('/') && /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/i.test(first)) {
    name = name.slice(first.length + 1);
  }
  if (/^library\/[^/]+$/.test(name)) name = name.slice('library/'.length);
  return name;
}

/** The target as tag and digest, or a DockerfileEditError when it is neither. A bare `sha256:...` is a digest. */
function parseTarget(target: string): { tag: string | null; digest: string | null } {
  const value = DIGEST.test(target.trim()) ? `@${target.trim()}` : target.trim();
  const at = value.indexOf('@');
  const tag = at === -1 ? value : value.slice(0, at);
  const digest = at === -1 ? null : value.slice(at + 1);
  if ((!tag && !digest) || (tag && !TAG.test(tag)) || (digest && !DIGEST.test(digest))) {
    throw new DockerfileEditError(
      'invalid_target',
      `"${target}" is not a tag, tag@sha256:<64 hex> or @sha256:<64 hex> (give the tag or digest without the repository)`,
    );
  }
  return { tag: tag || null, digest };
}

const renderReference = (repository: string, tag: string | null, digest: string | null) =>
  `${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;

/** One FROM as the edit and the check read it. */
type FromView = {
  from: From;
  /** 1-based line of the image reference. */
  line: number;
  /** The image as written (`${BASE}` included). */
  written: string;
  /** A stage built earlier in this file, not an image. */
  stage: boolean;
  /** Whether the reference uses ARG variables, and what it reads with their defaults (null if some has none). */
  variables: boolean;
  resolved: string | null;
};

/** Substitutes `$NAME`, `${NAME}`, `${NAME:-x}` and `${NAME:+x}` from the ARG defaults; null when one is unknown. */
function substitute(value: string, defaults: ReadonlyMap<string, string>): string | null {
  let unknown = false;
  const result = value.replace(
    /\$\{(\w+)(?:(:?[-+])([^}]*))?\}|\$(\w+)/g,
    (_, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare)!;
      const set = defaults.get(name);
      if (op?.endsWith('-')) return set || word || '';
      if (op?.endsWith('+')) return set ? (word ?? '') : '';
      if (set === undefined) unknown = true;
      return set ?? '';
    },
  );
  return unknown ? null : result;
}

function readFroms(dockerfile: string): FromView[] {
  const parsed = DockerfileParser.parse(dockerfile);
  const defaults = new Map<string, string>();
  for (const arg of parsed.getInitialARGs()) {
    const property = arg.getProperty();
    const value = property?.getValue();
    if (property && value !== null && value !== undefined) defaults.set(property.getName(), value);
  }
  const stages = new Set<string>();
  const views: FromView[] = [];
  for (const from of parsed.getFROMs()) {
    const written = from.getImage();
    const range = from.getImageRange();
    if (written && range) {
      const variables = written.includes('$');
      views.push({
        from,
        line: range.start.line + 1,
        written,
        stage: stages.has(written.toLowerCase()),
        variables,
        resolved: variables ? substitute(written, defaults) : written,
      });
    }
    const stage = from.getBuildStage();
    if (stage) stages.add(stage.toLowerCase());
  }
  return views;
}

const sameRepository = (written: string, image: string) =>
  normalizeRepository(parseImageReference(written).repository) === normalizeRepository(image);

/** Offsets of the start of each line, to turn the parser's (line, character) positions into string offsets. */
function offsetOf(text: string, position: { line: number; character: number }): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) offset = text.indexOf('\n', offset) + 1;
  return offset + position.character;
}

/** A computed change to a Dockerfile: both texts, what moved, and what was left for a person. */
export const DockerfileBaseEditSchema = z.object({
  before: z.string(),
  after: z.string(),
  changed: z.array(z.object({ line: z.number().int(), from: z.string(), to: z.string() })),
  /** FROMs of the image that were not changed: they use ARG variables (change the ARG instead). */
  skipped: z.array(z.object({ line: z.number().int(), ref: z.string(), reason: z.string() })),
});
export type DockerfileBaseEdit = z.infer<typeof DockerfileBaseEditSchema>;

/**
 * Moves every `FROM` of one image repository to a patched tag or digest, multi-stage builds included:
 * `--platform` and `AS name` stay, only the image reference changes (the repository keeps its spelling).
 * Stages referring to earlier stages by name are not images. A FROM that builds its reference from ARG
 * variables is left alone and reported in `skipped`: the ARG default is the place to change it, and
 * rewriting it would break the build argument. Throws a DockerfileEditError for a malformed target or
 * when no FROM uses the image at all.
 */
export function editDockerfileBase(input: { dockerfile: string; image: string; target: string }): DockerfileBaseEdit {
  const { dockerfile, image } = input;
  const target = parseTarget(input.target);
  if (!IMAGE_REPOSITORY.test(image)) {
    throw new DockerfileEditError(
      'invalid_target',
      `"${image}" is not an image repository (give it without tag or digest)`,
    );
  }
  const views = readFroms(dockerfile);
  const changed: DockerfileBaseEdit['changed'] = [];
  const skipped: DockerfileBaseEdit['skipped'] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  for (const view of views) {
    if (view.stage) continue;
    if (view.variables) {
      if (view.resolved && sameRepository(view.resolved, image)) {
        skipped.push({
          line: view.line,
          ref: view.written,
          reason: `built from ARG variables (it reads ${view.resolved} with their defaults): change the ARG default`,
        });
      } else if (!view.resolved && view.written.startsWith('$')) {
        skipped.push({
          line: view.line,
          ref: view.written,
          reason: 'built from an ARG without a default: cannot tell the image',
        });
      }
      continue;
    }
    if (!sameRepository(view.written, image)) continue;
    const { repository } = parseImageReference(view.written);
    const to = renderReference(repository, target.tag, target.digest);
    if (to === view.written) continue;
    const range = view.from.getImageRange()!;
    edits.push({ start: offsetOf(dockerfile, range.start), end: offsetOf(dockerfile, range.end), text: to });
    changed.push({ line: view.line, from: view.written, to });
  }
  const uses = views.some((view) => !view.stage && !view.variables && sameRepository(view.written, image));
  if (!uses && skipped.length === 0) {
    const images = views.filter((view) => !view.stage).map((view) => view.written);
    throw new DockerfileEditError(
      'image_not_found',
      `no FROM uses ${image} (the Dockerfile builds on ${images.join(', ') || 'nothing'})`,
    );
  }
  let after = dockerfile;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    after = after.slice(0, edit.start) + edit.text + after.slice(edit.end);
  }
  return { before: dockerfile, after, changed, skipped };
}

/** Whether a Dockerfile still builds on a vulnerable base image reference. */
export const DockerfileCheckSchema = z.object({
  status: z.enum(['resolved', 'affected']),
  /** Every FROM of the image: the reference as written, and (for ARG-built ones) what it reads with the defaults. */
  froms: z.array(
    z.object({ line: z.number().int(), ref: z.string(), resolved: z.string().nullable(), vulnerable: z.boolean() }),
  ),
  evidence: z.string(),
});
export type DockerfileCheck = z.infer<typeof DockerfileCheckSchema>;

/**
 * Whether a reference is one of the vulnerable ones. A vulnerable ref is a tag (`18.19.0-alpine`), a
 * digest (`sha256:...`), `tag@digest`, or a full reference of the same repository. A digest is compared
 * with the FROM's digest when it pins one (re-pinning the same tag to a new digest is a fix); otherwise
 * tags are compared, a missing tag reading as `latest`.
 */
export function isVulnerableRef(reference: ImageReference, vulnerable: string, image: string): boolean {
  let value = vulnerable.trim().replace(/^:/, '');
  if (DIGEST.test(value)) value = `@${value}`;
  const at = value.indexOf('@');
  const name = at === -1 ? value : value.slice(0, at);
  const digest = at === -1 ? null : value.slice(at + 1) || null;
  let tag: string | null = name || null;
  if (name.includes('/') || name.includes(':')) {
    // A full reference: it must name this repository.
    const parsed = parseImageReference(name);
    if (normalizeRepository(parsed.repository) !== normalizeRepository(image)) return false;
    tag = parsed.tag ?? (digest ? null : 'latest');
  }
  if (digest && reference.digest) return reference.digest === digest;
  const current = reference.tag ?? (reference.digest ? null : 'latest');
  return tag !== null && current === tag;
}

/**
 * Re-reads a Dockerfile and says whether any FROM of the image still uses a vulnerable reference. ARG-built
 * FROMs are judged by what they read with the ARG defaults (a build argument can still override them; the
 * evidence says so). A Dockerfile that no longer uses the image at all is resolved.
 */
export function checkDockerfileBase(
  dockerfile: string,
  image: string,
  vulnerableRefs: readonly string[],
): DockerfileCheck {
  const views = readFroms(dockerfile).filter(
    (view) => !view.stage && view.resolved !== null && sameRepository(view.resolved, image),
  );
  const unresolved = readFroms(dockerfile).filter((view) => !view.stage && view.resolved === null);
  const froms = views.map((view) => ({
    line: view.line,
    ref: view.written,
    resolved: view.variables ? view.resolved : null,
    vulnerable: vulnerableRefs.some((ref) => isVulnerableRef(parseImageReference(view.resolved!), ref, image)),
  }));
  const bad = froms.filter((from) => from.vulnerable);
  const list = (items: typeof froms) =>
    items
      .map((from) => `line ${from.line} ${from.ref}${from.resolved ? ` (= ${from.resolved} by ARG default)` : ''}`)
      .join(', ');
  const vulnerable = vulnerableRefs.length ? vulnerableRefs.join(', ') : 'none given';
  let evidence: string;
  if (froms.length === 0) evidence = `No FROM uses ${image} any more (vulnerable refs: ${vulnerable}).`;
  else if (bad.length)
    evidence = `${bad.length} FROM of ${image} still use a vulnerable ref (${vulnerable}): ${list(bad)}.`;
  else evidence = `Every FROM of ${image} is off the vulnerable refs (${vulnerable}): ${list(froms)}.`;
  if (froms.some((from) => from.resolved)) evidence += ' ARG-built references can be overridden at build time.';
  if (unresolved.length)
    evidence += ` Not checked (ARG without default): ${unresolved.map((v) => `line ${v.line} ${v.written}`).join(', ')}.`;
  return { status: bad.length ? 'affected' : 'resolved', froms, evidence };
}

/** The references the Dockerfile uses for the image (tag, tag@digest or @digest), e.g. to compare a branch with HEAD. */
export function baseRefsOf(dockerfile: string, image: string): string[] {
  return readFroms(dockerfile)
    .filter((view) => !view.stage && view.resolved !== null && sameRepository(view.resolved, image))
    .map((view) => {
      const { tag, digest } = parseImageReference(view.resolved!);
      return `${tag ?? (digest ? '' : 'latest')}${digest ? `@${digest}` : ''}`;
    });
}

/** The images (not stages) a Dockerfile builds on, as written: for hints when the image is not there. */
export const baseImagesOf = (dockerfile: string): string[] =>
  readFroms(dockerfile)
    .filter((view) => !view.stage)
    .map((view) => view.written);
