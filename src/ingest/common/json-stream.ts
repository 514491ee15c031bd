import { IngestError } from '../../domain/errors.ts';
import type { Source } from '../format.ts';
import { compilePattern, JsonSplitError, JsonSplitter, type Segment } from './json-splitter.ts';

/** A value found at one of the requested paths, with its JSON pointer in the document. */
export type JsonMatch = { path: string; pointer: string; value: unknown };

/** One JSON pointer reference token (RFC 6901: `~` -> `~0`, `/` -> `~1`). */
export function escapePointer(key: PropertyKey): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Streams the values at `paths` (e.g. `$.Results.*`, `$.SchemaVersion`; `*` matches any key or
 * index) out of a JSON document without holding the whole document: only the matched values
 * live in memory, one record at a time (see json-splitter.ts). A value requested together with
 * deeper paths inside it is emitted after those. Invalid or truncated JSON becomes an
 * IngestError naming the byte offset.
 */
export async function* streamJson(source: Source, format: string, paths: string[]): AsyncGenerator<JsonMatch> {
  const splitter = new JsonSplitter(paths.map(compilePattern));
  let queue: JsonMatch[] = [];
  let offset = 0;
  const emit = (keys: Segment[], value: unknown) => {
    queue.push({ path: pathOf(keys), pointer: pointerOf(keys), value });
  };
  const fail = (error: unknown): never => {
    if (error instanceof JsonSplitError) {
      throw new IngestError({
        format,
        file: source.name,
        pointer: `byte ${error.offset}`,
        message: error.truncated ? `the JSON document is truncated (${error.message})` : error.message,
        cause: error,
      });
    }
    throw new IngestError({
      format,
      file: source.name,
      pointer: `byte ${offset}`,
      message: `cannot read the input (${(error as Error).message})`,
      cause: error,
    });
  };
  try {
    for await (const chunk of source.open()) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      splitter.write(bytes, emit);
      offset += bytes.length;
      if (queue.length) {
        const ready = queue;
        queue = [];
        yield* ready;
      }
    }
    splitter.end(emit);
  } catch (error) {
    if (error instanceof IngestError) throw error;
    fail(error);
  }
  yield* queue;
}

function pointerOf(keys: Segment[]): string {
  return keys.length ? `/${keys.map(escapePointer).join('/')}` : '';
}

/** `['Results', 3, 'Target']` -> `$.Results.*.Target`: array indexes read as `*`. */
function pathOf(keys: Segment[]): string {
  return `$${keys.map((k) => (typeof k === 'number' ? '.*' : `.${k}`)).join('')}`;
}

/** Reads a whole (small) JSON document, e.g. an inventory or one OSV record. */
export async function readJson(source: Source, format: string, maxBytes = 64 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source.open()) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      throw new IngestError({ format, file: source.name, message: `larger than ${maxBytes} bytes for this format` });
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) throw new IngestError({ format, file: source.name, message: 'the file is empty; expected JSON' });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new IngestError({
      format,
      file: source.name,
      message: `invalid JSON (${(error as Error).message})`,
      cause: error,
    });
  }
}
