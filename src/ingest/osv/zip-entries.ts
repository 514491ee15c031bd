import { Unzip, type UnzipFile, UnzipInflate } from 'fflate';
import { IngestError } from '../../domain/errors.ts';
import type { Source } from '../format.ts';

/** Guards against zip bombs and runaway exports; OSV's largest ecosystem export stays far below. */
export type ZipLimits = { maxEntryBytes: number; maxTotalBytes: number };

/** 16 MiB per record (the largest OSV records are a few hundred KiB) and 8 GiB in all. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntryBytes: 16 * 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024 * 1024 };

/** One file of the archive, decompressed, or why it could not be read. */
export type ZipEntry = { name: string; bytes: Buffer } | { name: string; error: string };

/**
 * Streams the files of a zip archive one by one (directories skipped), without holding the
 * archive: fflate reads local headers as bytes arrive, which also works for archives written in
 * streaming fashion (data descriptors), as osv.dev's `all.zip` exports are. A damaged archive
 * is an IngestError at the byte offset reached; a damaged entry is reported as that entry.
 */
export async function* zipEntries(
  source: Source,
  format: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): AsyncGenerator<ZipEntry> {
  const ready: ZipEntry[] = [];
  const pending = new Set<string>();
  let total = 0;
  let offset = 0;
  let fatal: string | undefined;

  const unzip = new Unzip((file: UnzipFile) => {
    if (file.name.endsWith('/')) return;
    const chunks: Uint8Array[] = [];
    let size = 0;
    pending.add(file.name);
    file.ondata = (error, data, final) => {
      if (error) {
        pending.delete(file.name);
        ready.push({ name: file.name, error: `cannot decompress (${error.message})` });
        return;
      }
      size += data.length;
      total += data.length;
      if (total > limits.maxTotalBytes) fatal = `expands to more than ${limits.maxTotalBytes} bytes`;
      if (size > limits.maxEntryBytes) {
        file.terminate();
        pending.delete(file.name);
        ready.push({ name: file.name, error: `larger than ${limits.maxEntryBytes} bytes uncompressed` });
        return;
      }
      chunks.push(data);
      if (final) {
        pending.delete(file.name);
        ready.push({ name: file.name, bytes: Buffer.concat(chunks) });
      }
    };
    try {
      file.start();
    } catch (error) {
      pending.delete(file.name);
      ready.push({
        name: file.name,
        error: `unsupported compression method ${file.compression} (${(error as Error).message})`,
      });
    }
  });
  unzip.register(UnzipInflate);

  const fail = (message: string, cause?: unknown): never => {
    throw new IngestError({ format, file: source.name, pointer: `byte ${offset}`, message, cause });
  };
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (error) {
      fail(`not a readable zip archive (${(error as Error).message})`, error);
    }
    if (fatal) fail(fatal);
  };
  let tail = Buffer.alloc(0);
  for await (const chunk of source.open()) {
    push(chunk as Uint8Array, false);
    offset += (chunk as Uint8Array).length;
    tail = Buffer.concat([tail, chunk as Uint8Array]);
    if (tail.length > END_RECORD_WINDOW) tail = tail.subarray(tail.length - END_RECORD_WINDOW);
    yield* ready.splice(0);
  }
  push(new Uint8Array(0), true);
  yield* ready.splice(0);
  if (pending.size) fail(`the archive is truncated inside ${[...pending].join(', ')}`);
  if (!tail.includes(END_OF_CENTRAL_DIRECTORY)) fail('the archive is truncated (no end of central directory record)');
}

/** A complete archive ends with this record, followed by a comment of at most 65,535 bytes. */
const END_OF_CENTRAL_DIRECTORY = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const END_RECORD_WINDOW = 22 + 65_535;
