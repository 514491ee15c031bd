import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import type { Source } from '../format.ts';
import {
  type ArtifactContext,
  imageFromTarget,
  type RecordContext,
  type ResourceContext,
  type ResultContext,
  recordContext,
} from './context.ts';
import { RECORD_ARRAYS, type TrivyRecordKind } from './map-record.ts';

/** A record found in the report with the context it needs, or a note about the document. */
export type WalkedRecord =
  | { type: 'record'; kind: TrivyRecordKind; pointer: string; value: unknown; context: RecordContext }
  | { type: 'warning'; pointer: string; message: string };

/** The shape of the whole document, told apart by its first significant character. */
export type DocumentShape = 'object' | 'list';

type Route =
  | {
      level: 'document';
      field: 'SchemaVersion' | 'ArtifactName' | 'ArtifactType' | 'Metadata' | 'Version' | 'ClusterName';
    }
  | { level: 'resource'; field: 'Namespace' | 'Kind' | 'Name' }
  | { level: 'result'; field: 'Target' | 'Class' | 'Type' }
  | { level: 'record'; kind: TrivyRecordKind };

const RESULT_FIELDS = ['Target', 'Class', 'Type'] as const;
const RESOURCE_FIELDS = ['Namespace', 'Kind', 'Name'] as const;
/** Kubernetes reports: `Resources[]` today, `Vulnerabilities[]`/`Misconfigurations[]` before. */
const RESOURCE_LISTS = ['Resources', 'Vulnerabilities', 'Misconfigurations'] as const;

function addResultRoutes(routes: Map<string, Route>, prefix: string): void {
  for (const field of RESULT_FIELDS) routes.set(`${prefix}.${field}`, { level: 'result', field });
  for (const [array, kind] of Object.entries(RECORD_ARRAYS))
    routes.set(`${prefix}.${array}.*`, { level: 'record', kind });
}

/**
 * What to stream for each document shape: the small context fields and each record on its
 * own, never a whole `Results[]` entry (one result may hold most of a million findings).
 */
const ROUTES: Record<DocumentShape, Map<string, Route>> = {
  object: (() => {
    const routes = new Map<string, Route>();
    for (const field of ['SchemaVersion', 'ArtifactName', 'ArtifactType', 'Metadata', 'ClusterName'] as const) {
      routes.set(`$.${field}`, { level: 'document', field });
    }
    routes.set('$.Trivy.Version', { level: 'document', field: 'Version' });
    addResultRoutes(routes, '$.Results.*');
    for (const list of RESOURCE_LISTS) {
      for (const field of RESOURCE_FIELDS) routes.set(`$.${list}.*.${field}`, { level: 'resource', field });
      addResultRoutes(routes, `$.${list}.*.Results.*`);
    }
    return routes;
  })(),
  list: (() => {
    const routes = new Map<string, Route>();
    addResultRoutes(routes, '$.*');
    return routes;
  })(),
};

function parentOf(pointer: string, levels = 1): string {
  let end = pointer.length;
  for (let i = 0; i < levels; i++) end = pointer.lastIndexOf('/', end - 1);
  return pointer.slice(0, end);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

type ResultScope = {
  pointer: string;
  context: ResultContext;
  hasTarget: boolean;
  /** Records that arrived before the result's Target (key-sorted JSON puts Secrets first). */
  pending: { kind: TrivyRecordKind; pointer: string; value: unknown }[];
  /** Whether a package finding was emitted: only those depend on the result's Class and Type. */
  emittedPackages: boolean;
  built?: RecordContext;
};

type ResourceScope = { pointer: string; context: ResourceContext; emitted: boolean };

/**
 * Streams a Trivy report and pairs each record with its context: the artifact (top-level
 * ArtifactName, ArtifactType, Metadata), the Kubernetes workload if any, and the result
 * (Target, Class, Type). Trivy writes context before records, and so does any key-sorted
 * re-serialization, except that a result's Target may follow its Secrets/Misconfigurations:
 * those few wait for the Target. Context that arrives after records it applies to is reported
 * as a warning rather than silently ignored.
 */
export async function* walkTrivyReport(
  source: Source,
  format: string,
  shape: DocumentShape,
): AsyncGenerator<WalkedRecord> {
  const routes = ROUTES[shape];
  const artifact: ArtifactContext = { repoTags: [], repoDigests: [] };
  let recognized = shape === 'list';
  let emittedAny = false;
  let resource: ResourceScope | undefined;
  let result: ResultScope | undefined;

  const fail = (pointer: string, message: string): never => {
    throw new IngestError({ format, file: source.name, pointer, message });
  };
  const lateContext = (pointer: string, what: string): WalkedRecord => ({
    type: 'warning',
    pointer,
    message: `${what} comes after findings it applies to; those findings were read without it`,
  });
  const contextOf = (scope: ResultScope): RecordContext => {
    scope.built ??= recordContext(artifact, resource?.context, scope.context);
    return scope.built;
  };
  function* emit(scope: ResultScope, kind: TrivyRecordKind, pointer: string, value: unknown) {
    if (kind === 'vulnerability' || kind === 'modified') scope.emittedPackages = true;
    emittedAny = true;
    if (resource) resource.emitted = true;
    yield { type: 'record' as const, kind, pointer, value, context: contextOf(scope) };
  }
  const closeResult = (): void => {
    if (result?.pending.length && !result.hasTarget) fail(result.pointer, 'expected "Target" to be a string');
    result = undefined;
  };
  const enterResource = (pointer: string): void => {
    if (resource?.pointer === pointer) return;
    closeResult();
    resource = { pointer, context: {}, emitted: false };
  };
  const enterResult = (pointer: string): ResultScope => {
    if (shape === 'object' && !pointer.startsWith('/Results/')) enterResource(parentOf(pointer, 2));
    else if (resource) {
      closeResult();
      resource = undefined;
    }
    if (result?.pointer !== pointer) {
      closeResult();
      result = { pointer, context: {}, hasTarget: false, pending: [], emittedPackages: false };
    }
    return result;
  };

  for await (const match of streamJson(source, format, [...routes.keys()])) {
    const route = routes.get(match.path);
    if (!route) continue;
    recognized = true;
    switch (route.level) {
      case 'document': {
        if (route.field === 'SchemaVersion') {
          if (match.value !== 2) {
            yield {
              type: 'warning',
              pointer: match.pointer,
              message: `SchemaVersion ${String(match.value)} read as 2`,
            };
          }
          break;
        }
        if (emittedAny) yield lateContext(match.pointer, `"${route.field}"`);
        readDocumentField(artifact, route.field, match.value);
        if (result) result.built = undefined;
        break;
      }
      case 'resource': {
        enterResource(parentOf(match.pointer));
        const scope = resource!;
        if (scope.emitted) yield lateContext(match.pointer, `"${route.field}"`);
        const value = optionalString(match.value);
        if (route.field === 'Namespace') scope.context.namespace = value;
        else if (route.field === 'Kind') scope.context.kind = value;
        else scope.context.name = value;
        if (result) result.built = undefined;
        break;
      }
      case 'result': {
        const scope = enterResult(parentOf(match.pointer));
        if (typeof match.value !== 'string') fail(match.pointer, `expected "${route.field}" to be a string`);
        const value = match.value as string;
        if (scope.emittedPackages) yield lateContext(match.pointer, `"${route.field}"`);
        scope.built = undefined;
        if (route.field === 'Class') scope.context.class = value;
        else if (route.field === 'Type') scope.context.type = value;
        else {
          scope.context.target = value;
          scope.hasTarget = true;
          if (resource) resource.context.image ??= imageFromTarget(value);
          const pending = scope.pending;
          scope.pending = [];
          for (const record of pending) yield* emit(scope, record.kind, record.pointer, record.value);
        }
        break;
      }
      case 'record': {
        const scope = enterResult(parentOf(match.pointer, 2));
        if (scope.hasTarget) yield* emit(scope, route.kind, match.pointer, match.value);
        else scope.pending.push({ kind: route.kind, pointer: match.pointer, value: match.value });
        break;
      }
    }
  }
  closeResult();
  if (!recognized) {
    fail(
      '',
      'expected a Trivy report: an object with "SchemaVersion" and "Results", a Kubernetes report with "ClusterName", or a list of results',
    );
  }
}

/** Top-level fields: the artifact's identity, the cluster, the Trivy version. */
function readDocumentField(artifact: ArtifactContext, field: string, value: unknown): void {
  switch (field) {
    case 'ArtifactName':
      artifact.name = optionalString(value);
      break;
    case 'ArtifactType':
      artifact.type = optionalString(value);
      break;
    case 'ClusterName':
      artifact.cluster = optionalString(value);
      break;
    case 'Version':
      artifact.toolVersion = optionalString(value);
      break;
    case 'Metadata': {
      const metadata = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      artifact.imageId = optionalString(metadata.ImageID);
      artifact.repoTags = strings(metadata.RepoTags);
      artifact.repoDigests = strings(metadata.RepoDigests);
      artifact.repoUrl = optionalString(metadata.RepoURL);
      break;
    }
  }
}
