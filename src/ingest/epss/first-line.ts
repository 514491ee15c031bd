import type { Source } from '../format.ts';

/** The first line of a source (without its line break, BOM stripped), reading no further than needed. */
export async function readFirstLine(source: Source, maxBytes = 64 * 1024): Promise<string> {
  const stream = source.open();
  let text = '';
  try {
    for await (const chunk of stream) {
      text += Buffer.from(chunk as Uint8Array).toString('utf8');
      if (text.includes('\n') || text.length >= maxBytes) break;
    }
  } finally {
    stream.destroy();
  }
  return (text.split(/\r?\n/, 1)[0] ?? '').replace(/^\uFEFF/, '');
}
