import type { z } from 'zod';
import type { AssetIdentifier } from '../../domain/asset.ts';
import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { Source } from '../format.ts';
import {
  SarifArtifactSchema,
  type SarifMessage,
  type SarifRule,
  SarifRunPropertiesSchema,
  SarifToolSchema,
  SarifVersionControlSchema,
} from './schema.ts';

/** What an artifact contributes to a result that points at it by index. */
export type ArtifactFacts = { uri: string | null; purl: string | null };

/** Everything of one run that its results refer to: tool, rules, artifacts and where it ran. */
export type RunContext = {
  toolName: string;
  toolVersion: string | null;
  driverRules: SarifRule[];
  /** Rules of `tool.extensions[i]`, for results whose `rule.toolComponent.index` is i. */
  extensionRules: SarifRule[][];
  rulesById: Map<string, SarifRule>;
  globalMessageStrings: Record<string, SarifMessage>;
  artifacts: Map<number, ArtifactFacts>;
  assetHint: AssetIdentifier[];
};

export type SarifLogContext = { version: unknown; runs: Map<number, RunContext> };

type PartialRun = {
  tool?: z.infer<typeof SarifToolSchema>;
  artifacts: Map<number, ArtifactFacts>;
  repositories: string[];
  images: AssetIdentifier[];
};

const CONTEXT_PATHS = [
  '$.version',
  '$.runs.*.tool',
  '$.runs.*.artifacts.*',
  '$.runs.*.versionControlProvenance.*',
  '$.runs.*.properties',
];

/** `/runs/3/tool` -> 3 and `/runs/3/artifacts/7` -> [3, 7]. */
export function pointerIndexes(pointer: string): number[] {
  return pointer
    .split('/')
    .filter((part) => /^\d+$/.test(part))
    .map(Number);
}

function firstPurl(properties: Record<string, unknown> | undefined): string | null {
  for (const value of Object.values(properties ?? {})) {
    if (typeof value === 'string' && value.startsWith('pkg:')) return value;
  }
  return null;
}

/** Trivy writes the scanned image into the run's property bag; other producers leave it empty. */
function imageHints(properties: Record<string, unknown>): AssetIdentifier[] {
  const hints: AssetIdentifier[] = [];
  if (typeof properties.imageName === 'string' && properties.imageName) {
    hints.push({ kind: 'image', value: properties.imageName });
  }
  for (const digest of Array.isArray(properties.repoDigests) ? properties.repoDigests : []) {
    if (typeof digest === 'string' && digest) hints.push({ kind: 'image_digest', value: digest });
  }
  return hints;
}

function buildContext(run: PartialRun): RunContext {
  const driver = run.tool!.driver;
  const driverRules = driver.rules ?? [];
  const extensionRules = (run.tool!.extensions ?? []).map((extension) => extension.rules ?? []);
  const rulesById = new Map<string, SarifRule>();
  for (const rule of [...extensionRules.flat(), ...driverRules]) rulesById.set(rule.id, rule);
  return {
    toolName: driver.name,
    toolVersion: driver.version ?? driver.semanticVersion ?? null,
    driverRules,
    extensionRules,
    rulesById,
    globalMessageStrings: driver.globalMessageStrings ?? {},
    artifacts: run.artifacts,
    assetHint: uniqueHints([
      ...run.repositories.map((value): AssetIdentifier => ({ kind: 'repository_url', value })),
      ...run.images,
    ]),
  };
}

function uniqueHints(hints: AssetIdentifier[]): AssetIdentifier[] {
  const seen = new Set<string>();
  return hints.filter((hint) => {
    const key = `${hint.kind}\u0000${hint.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * First pass over a SARIF log: keeps only the small run-level parts (tool and rules, artifacts,
 * version control provenance, run properties). Producers order a run's members freely (Semgrep
 * writes `results` before `tool`, ScanLift writes `versionControlProvenance` last), so results
 * are read in a second pass once every run's context is known.
 */
export async function collectRunContexts(source: Source, format: string): Promise<SarifLogContext> {
  const partial = new Map<number, PartialRun>();
  const runAt = (index: number): PartialRun => {
    let run = partial.get(index);
    if (!run) {
      run = { artifacts: new Map(), repositories: [], images: [] };
      partial.set(index, run);
    }
    return run;
  };
  const parse = <T>(schema: z.ZodType<T>, value: unknown, pointer: string): T =>
    parseRecord(schema, value, { format, file: source.name, pointer });

  let version: unknown;
  for await (const { path, pointer, value } of streamJson(source, format, CONTEXT_PATHS)) {
    if (path === '$.version') {
      version = value;
      continue;
    }
    const [runIndex, itemIndex] = pointerIndexes(pointer) as [number, number | undefined];
    const run = runAt(runIndex);
    if (path === '$.runs.*.tool') {
      run.tool = parse(SarifToolSchema, value, pointer);
    } else if (path === '$.runs.*.artifacts.*') {
      const artifact = parse(SarifArtifactSchema, value, pointer);
      run.artifacts.set(itemIndex!, { uri: artifact.location?.uri ?? null, purl: firstPurl(artifact.properties) });
    } else if (path === '$.runs.*.versionControlProvenance.*') {
      const provenance = parse(SarifVersionControlSchema, value, pointer);
      if (provenance.repositoryUri) run.repositories.push(provenance.repositoryUri);
    } else if (path === '$.runs.*.properties') {
      run.images.push(...imageHints(parse(SarifRunPropertiesSchema, value, pointer)));
    }
  }

  const runs = new Map<number, RunContext>();
  for (const [index, run] of partial) {
    if (!run.tool) {
      throw new IngestError({
        format,
        file: source.name,
        pointer: `/runs/${index}/tool`,
        message: 'expected "tool" with a "driver" naming the producer of this run',
      });
    }
    runs.set(index, buildContext(run));
  }
  return { version, runs };
}
