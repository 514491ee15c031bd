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
