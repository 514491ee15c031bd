import path from 'node:path';
import type { Database } from '../../db/database.ts';
import { describeError, ServiceError } from '../../domain/errors.ts';
import type { FormatKind, IngestFormat } from '../../ingest/format.ts';
import type { FormatRegistry } from '../../ingest/registry.ts';
import { type IngestOptions, type IngestSummary, ingestInput } from './ingest-input.ts';
import { type FetchLimits, type ResolvedInput, resolveInputs } from './sources.ts';

export type FileFailure = { file: string; format?: string; error: { code: string; message: string } };
export type FileResult = IngestSummary | FileFailure;

export function isFailure(result: FileResult): result is FileFailure {
  return 'error' in result;
}

/** Inventories first, then advisories and threat intel, then scanner reports: best correlation. */
const ORDER: Record<FormatKind, number> = { inventory: 0, advisory: 1, scanner: 2 };

/**
 * Ingests many inputs, each in its own transaction: a bad file is reported with its reason
 * and the others still import. Inputs are detected first and ordered so that assets and
 * advisories exist before the findings that refer to them.
 */
export async function ingestInputs(
  db: Database,
  registry: FormatRegistry,
  inputs: string[],
  options: IngestOptions & { format?: string; limits: FetchLimits },
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  const planned: { input: ResolvedInput; format: IngestFormat }[] = [];
  try {
    // Each named input on its own: a missing file or a failed download is one failure, not all.
    for (const name of inputs) {
      try {
        for await (const input of resolveInputs([name], options.limits)) {
          try {
            const format = options.format
              ? registry.get(options.format)
              : registry.detect(input.head, path.basename(input.name));
            planned.push({ input, format });
          } catch (error) {
            input.cleanup?.();
            results.push(failure(input.name, error));
          }
        }
      } catch (error) {
        results.push(failure(name, error));
      }
    }
    planned.sort((a, b) => ORDER[a.format.kind] - ORDER[b.format.kind]);
    for (const { input, format } of planned) {
      try {
        results.push(await ingestInput(db, format, input, options));
      } catch (error) {
        results.push(failure(input.name, error, format.name));
      }
    }
  } finally {
    for (const { input } of planned) input.cleanup?.();
  }
  return results;
}

/** A failed input, named, with a stable code; unexpected faults carry our one-line description, never a stack. */
function failure(file: string, error: unknown, format?: string): FileFailure {
  const code = error instanceof ServiceError ? error.code : 'INGEST_FAILED';
  return { file, format, error: { code, message: describeError(error) } };
}
