import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLargeError, UpstreamError, ValidationError } from '../../domain/errors.ts';
import type { Source } from '../../ingest/format.ts';
import { DETECT_HEAD_BYTES } from '../../ingest/registry.ts';

/** An input ready to ingest: a re-openable source plus its first bytes for format detection. */
export type ResolvedInput = Source & { head: string; sha256?: string; cleanup?: () => void };

export type FetchLimits = { timeoutMs: number; maxBytes: number };

/**
 * Expands what the user named (files, directories, http(s) URLs) into sources. Directories are
 * walked recursively (hidden entries skipped) in a stable order; URLs are downloaded to a
 * temporary file with a timeout and a size limit, so parsers can stream and re-read them.
 */
export async function* resolveInputs(inputs: string[], limits: FetchLimits): AsyncGenerator<ResolvedInput> {
  for (const input of inputs) {
    if (/^https?:\/\//i.test(input)) {
      yield await download(input, limits);
    } else if (/^[a-z]+:\/\//i.test(input)) {
      throw new ValidationError(`${input}: only files, directories and http(s) URLs can be ingested`);
    } else {
      for (const file of walk(path.resolve(input))) yield fileInput(file, limits.maxBytes);
    }
  }
}

function* walk(target: string): Generator<string> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new ValidationError(`${target}: no such file or directory`);
  }
  if (stat.isFile()) {
    yield target;
    return;
  }
  if (!stat.isDirectory()) throw new ValidationError(`${target}: not a file or directory`);
  const entries = fs.readdirSync(target, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    yield* walk(path.join(target, entry.name));
  }
}

/** A local file as a source; refuses files over the size limit before reading them. */
export function fileInput(file: string, maxBytes: number): ResolvedInput {
  const size = fs.statSync(file).size;
  if (size > maxBytes) throw new PayloadTooLargeError(file, maxBytes);
  return {
    name: file,
    size,
    head: readHead(file),
    open: () => fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
  };
}

/** An in-memory body (an HTTP upload) as a source. */
export function bufferInput(name: string, body: Buffer): ResolvedInput {
  return {
    name,
    size: body.length,
    head: body.subarray(0, DETECT_HEAD_BYTES).toString('utf8'),
    sha256: crypto.createHash('sha256').update(body).digest('hex'),
    open: () => Readable.from([body]),
  };
}

function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(DETECT_HEAD_BYTES);
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

async function download(url: string, limits: FetchLimits): Promise<ResolvedInput> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-fetch-'));
  const name = path.basename(new URL(url).pathname) || 'download';
  const file = path.join(dir, name);
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow' });
    if (!response.ok || !response.body) throw new UpstreamError(`${url}: HTTP ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > limits.maxBytes) throw new PayloadTooLargeError(url, limits.maxBytes);
    let received = 0;
    const hash = crypto.createHash('sha256');
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      hash.update(chunk);
      if (received > limits.maxBytes) body.destroy(new PayloadTooLargeError(url, limits.maxBytes));
    });
    await pipeline(body, fs.createWriteStream(file));
    const input = fileInput(file, limits.maxBytes);
    return { ...input, name: url, sha256: hash.digest('hex'), cleanup };
  } catch (error) {
    cleanup();
    if (error instanceof PayloadTooLargeError || error instanceof UpstreamError) throw error;
    const reason =
      (error as Error).name === 'TimeoutError' ? `no answer within ${limits.timeoutMs} ms` : (error as Error).message;
    throw new UpstreamError(`${url}: download failed (${reason})`, error);
  }
}
