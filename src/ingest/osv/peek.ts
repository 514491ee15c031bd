import type { Source } from '../format.ts';

/** The first `count` bytes of a source (fewer if it is shorter), read without consuming the rest. */
export async function peekBytes(source: Source, count: number): Promise<Buffer> {
  const stream = source.open();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buffer);
      size += buffer.length;
      if (size >= count) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, count);
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** A zip archive starts with a local file header (`PK\x03\x04`). */
export function isZip(head: Buffer): boolean {
  return head.subarray(0, 4).equals(ZIP_MAGIC);
}

/** The first character that is not whitespace (or a UTF-8 byte order mark): `[`, `{` or something else. */
export function firstSignificantChar(head: Buffer): string | undefined {
  return /^(?:\uFEFF)?\s*(\S)/.exec(head.toString('utf8'))?.[1];
}
