import { IngestError } from '../../domain/errors.ts';
import type { Source } from '../format.ts';

const PEEK_LIMIT = 64 * 1024;

/**
 * The first significant character of a JSON document (`[`, `{`, ...), or undefined for an empty
 * or blank input. Reads only the first chunk(s), so the choice of streaming paths costs nothing.
 */
export async function jsonRootChar(source: Source): Promise<string | undefined> {
  const stream = source.open();
  let read = 0;
  try {
    for await (const chunk of stream) {
      const text = Buffer.from(chunk as Uint8Array).toString('utf8');
      const match = /[^\s\uFEFF]/.exec(text);
      if (match) return match[0];
      read += text.length;
      if (read >= PEEK_LIMIT) return undefined;
    }
    return undefined;
  } finally {
    stream.destroy();
  }
}

/**
 * The root character of a JSON document when it is one the format accepts; otherwise an
 * IngestError that says what the format expected (`expected` completes "expected ..."), so that
 * a file of the wrong kind fails at once, before streaming chooses its paths.
 */
export async function requireJsonRoot<R extends string>(
  source: Source,
  format: string,
  accepted: readonly R[],
  expected: string,
): Promise<R> {
  const root = await jsonRootChar(source);
  if (accepted.some((char) => char === root)) return root as R;
  throw new IngestError({
    format,
    file: source.name,
    pointer: '',
    message:
      root === undefined
        ? `the file is empty; expected ${expected}`
        : `expected ${expected}; the document starts with "${root}"`,
  });
}
