import type { AssetIdentifier } from '../../domain/asset.ts';
import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { Source } from '../format.ts';
import { FORMAT } from './constants.ts';
import { type ComponentInput, type Metadata, MetadataSchema, type Tools } from './schema.ts';

/** What a finding needs of a component; the rest of a (possibly huge) component list is dropped. */
export type ComponentFacts = { name: string | null; group: string | null; version: string | null; purl: string | null };

/** Document-level facts, gathered before any vulnerability is mapped. */
export type BomContext = {
  components: Map<string, ComponentFacts>;
  tool: { name: string; version: string | null } | null;
  assetHint: AssetIdentifier[];
};

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function factsOf(component: ComponentInput): ComponentFacts {
  return {
    name: text(component.name),
    group: text(component.group),
    version: text(component.version),
    purl: text(component.purl),
  };
}

/** Indexes a component and every component nested in it by bom-ref (affects may point at any). */
function indexComponent(root: unknown, into: Map<string, ComponentFacts>): void {
  const stack = [root];
  while (stack.length) {
    const component = stack.pop();
    if (!component || typeof component !== 'object') continue;
    const input = component as ComponentInput;
    const ref = text(input['bom-ref']);
    if (ref) into.set(ref, factsOf(input));
    if (Array.isArray(input.components)) stack.push(...input.components);
  }
}

/** The first named tool: 1.4 lists them in an array, 1.5+ as `{components, services}`. */
export function firstTool(tools: Tools | null | undefined): { name: string; version: string | null } | null {
  const list = Array.isArray(tools) ? tools : [...(tools?.components ?? []), ...(tools?.services ?? [])];
  const tool = list.find((candidate) => text(candidate.name));
  return tool ? { name: text(tool.name)!, version: text(tool.version) } : null;
}

/** The component an `affects[].ref` names; a 1.5 BOM-Link (`urn:cdx:<serial>/<version>#<bom-ref>`) by its fragment. */
export function resolveRef(ref: string, components: BomContext['components']): ComponentFacts | undefined {
  const direct = components.get(ref);
  if (direct || !ref.startsWith('urn:cdx:')) return direct;
  const hash = ref.indexOf('#');
  return hash >= 0 ? components.get(decodeURIComponent(ref.slice(hash + 1))) : undefined;
}

/** An OCI purl's version is the image digest: `pkg:oci/ubuntu@sha256%3A60...` -> `sha256:60...`. */
function digestOf(purl: string | null | undefined, version: string | null | undefined): string | null {
  const fromPurl = purl?.startsWith('pkg:oci/') ? /@([^?#]+)/.exec(purl)?.[1] : undefined;
  const candidate = fromPurl ? decodeURIComponent(fromPurl) : version;
  return candidate && /^sha256:[0-9a-f]{64}$/i.test(candidate) ? candidate : null;
}

/**
 * Where the BOM says its findings were seen: the subject in `metadata.component`. A container
 * is an image (and its digest when the purl or version gives one); anything else (an
 * application, a file, a repository checkout) is known to us only by its name.
 */
function assetHintOf(component: Metadata['component']): AssetIdentifier[] {
  const name = text(component?.name);
  if (!component || !name) return [];
  if (component.type !== 'container') return [{ kind: 'name', value: name }];
  const digest = digestOf(component.purl, component.version);
  return digest
    ? [
        { kind: 'image', value: name },
        { kind: 'image_digest', value: digest },
      ]
    : [{ kind: 'image', value: name }];
}

/**
 * First pass over a BOM: checks it is CycloneDX, indexes components by bom-ref and reads the
 * metadata. `components` may follow `vulnerabilities` in the file, so the findings are mapped
 * in a second pass; only the small facts kept here stay in memory.
 */
export async function readBomContext(source: Source): Promise<BomContext> {
  const components = new Map<string, ComponentFacts>();
  let bomFormat: unknown;
  let metadata: Metadata | undefined;
  const paths = ['$.bomFormat', '$.metadata', '$.components.*'];
  for await (const { pointer, value } of streamJson(source, FORMAT, paths)) {
    if (pointer === '/bomFormat') bomFormat = value;
    else if (pointer === '/metadata') {
      metadata = parseRecord(MetadataSchema, value, { format: FORMAT, file: source.name, pointer });
    } else indexComponent(value, components);
  }
  if (bomFormat !== 'CycloneDX') {
    const found = bomFormat === undefined ? 'it is missing' : `found ${JSON.stringify(bomFormat)}`;
    throw new IngestError({
      format: FORMAT,
      file: source.name,
      pointer: '/bomFormat',
      message: `expected "bomFormat" to be "CycloneDX" (${found}); only the JSON form of CycloneDX is read`,
    });
  }
  if (metadata?.component) indexComponent(metadata.component, components);
  return { components, tool: firstTool(metadata?.tools), assetHint: assetHintOf(metadata?.component) };
}
