import { IngestError } from '../../domain/errors.ts';
import type { Source } from '../format.ts';

/** An inventory is written by people: a few thousand assets at most, far below this. */
export const MAX_INVENTORY_BYTES = 32 * 1024 * 1024;

/** The whole source as UTF-8 text, refusing inputs over the limit (a YAML document is read whole). */
export async function readText(source: Source, format: string, maxBytes = MAX_INVENTORY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source.open()) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) {
      throw new IngestError({
        format,
        file: source.name,
        message: `larger than ${maxBytes} bytes; expected an inventory document`,
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}
