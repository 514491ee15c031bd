import { JSONParser } from '@streamparser/json';
import { IngestError } from '../../domain/errors.ts';
import type { Source } from '../format.ts';

/** A value found at one of the requested paths, with its JSON pointer in the document. */
export type JsonMatch = { path: string; pointer: string; value: unknown };

type StackEntry = { key?: string | number };

function escapePointer(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Streams the values at `paths` (e.g. `$.Results.*`, `$.SchemaVersion`) out of a JSON document
 * without holding the whole document: only the matched values live in memory, one chunk's
 * worth at a time. Invalid or truncated JSON becomes an IngestError naming the byte offset.
 */
export async function* streamJson(source: Source, format: string, paths: string[]): AsyncGenerator<JsonMatch> {
  const parser = new JSONParser({ paths, keepStack: false });
  let queue: JsonMatch[] = [];
  let offset = 0;
  parser.onValue = ({ value, key, stack }) => {
    const keys = (stack as StackEntry[]).slice(1).map((entry) => entry.key);
    if (key !== undefined) keys.push(key);
    const pointer = keys.length ? `/${keys.map((k) => escapePointer(k as string | number)).join('/')}` : '';
    queue.push({ path: pointerToPath(keys), pointer, value });
  };
  const fail = (message: string, cause?: unknown): never => {
    throw new IngestError({ format, file: source.name, pointer: `byte ${offset}`, message, cause });
  };
  try {
    for await (const chunk of source.open()) {
      try {
        parser.write(chunk as Uint8Array);
      } catch (error) {
        fail(`invalid JSON (${(error as Error).message})`, error);
      }
      offset += (chunk as Uint8Array).length;
      if (queue.length) {
        const ready = queue;
        queue = [];
        yield* ready;
      }
    }
    if (offset === 0) fail('the file is empty; expected a JSON document');
    if (!parser.isEnded) {
      try {
        parser.end();
      } catch (error) {
        fail(`the JSON document is truncated (${(error as Error).message})`, error);
      }
    }
  } catch (error) {
    if (error instanceof IngestError) throw error;
    fail(`cannot read the input (${(error as Error).message})`, error);
  }
  yield* queue;
}

/** `['Results', 3]` -> `$.Results.*`-style matching is done by the parser; this names the match. */
function pointerToPath(keys: (string | number | undefined)[]): string {
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
