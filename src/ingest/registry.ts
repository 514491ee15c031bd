import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnsupportedFormatError } from '../domain/errors.ts';
import type { IngestFormat } from './format.ts';

const INGEST_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Bytes read from the start of an input to detect its format. */
export const DETECT_HEAD_BYTES = 64 * 1024;

export type FormatRegistry = {
  formats: readonly IngestFormat[];
  get(name: string): IngestFormat;
  /** The best-scoring format for these first bytes, or UnsupportedFormatError. */
  detect(head: string, fileName: string): IngestFormat;
};

let loaded: Promise<FormatRegistry> | undefined;

/**
 * Discovers every format folder (src/ingest/<name>/parser.ts exporting `format`) once.
 * Adding a format is adding a folder; two folders claiming one name fail loudly.
 */
export function loadFormats(): Promise<FormatRegistry> {
  loaded ??= discover();
  return loaded;
}

async function discover(): Promise<FormatRegistry> {
  const folders = fs
    .readdirSync(INGEST_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(INGEST_DIR, entry.name, 'parser.ts')))
    .map((entry) => entry.name)
    .sort();
  const formats: IngestFormat[] = [];
  for (const folder of folders) {
    const module = (await import(path.join(INGEST_DIR, folder, 'parser.ts'))) as { format?: IngestFormat };
    if (!module.format) throw new Error(`src/ingest/${folder}/parser.ts does not export "format"`);
    formats.push(module.format);
  }
  return createRegistry(formats);
}

/** Builds a registry from formats, refusing duplicate names. */
export function createRegistry(formats: IngestFormat[]): FormatRegistry {
  const byName = new Map<string, IngestFormat>();
  for (const format of formats) {
    if (byName.has(format.name)) throw new Error(`two ingest formats are named "${format.name}"`);
    byName.set(format.name, format);
  }
  return {
    formats,
    get(name) {
      const format = byName.get(name);
      if (!format) {
        throw new UnsupportedFormatError(name, `unknown format; known formats: ${[...byName.keys()].join(', ')}`);
      }
      return format;
    },
    detect(head, fileName) {
      let best: IngestFormat | undefined;
      let bestScore = 0;
      for (const format of formats) {
        const score = format.detect(head, fileName);
        if (score > bestScore) {
          best = format;
          bestScore = score;
        }
      }
      if (!best) {
        throw new UnsupportedFormatError(
          fileName,
          `not a recognized format (tried ${formats.map((f) => f.name).join(', ')}); pass --format to choose one`,
        );
      }
      return best;
    },
  };
}
