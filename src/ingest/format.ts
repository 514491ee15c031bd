import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { AdvisorySchema } from '../domain/advisory.ts';
import type { AssetSchema } from '../domain/asset.ts';
import type { ControlSchema } from '../domain/control.ts';
import type { FindingSchema } from '../domain/finding.ts';
import type { EpssScoreSchema, KevEntrySchema } from '../domain/intel.ts';

/** A re-openable byte source: a file, an upload or a download. `name` appears in every error. */
export type Source = {
  name: string;
  size?: number;
  /** A fresh stream from the first byte; parsers that need two passes call it twice. */
  open(): Readable;
};

export type FormatKind = 'scanner' | 'advisory' | 'inventory';

/**
 * What a parser emits, each with a pointer (JSON pointer, `line N` or `entry path`) so that
 * the pipeline can name the exact record when validation fails. Values are schema inputs:
 * the pipeline validates them with the domain schemas before anything is stored.
 */
export type ParsedRecord =
  | { type: 'finding'; pointer: string; value: z.input<typeof FindingSchema> }
  | { type: 'advisory'; pointer: string; value: z.input<typeof AdvisorySchema> }
  | { type: 'kev'; pointer: string; value: z.input<typeof KevEntrySchema> }
  | { type: 'epss'; pointer: string; value: z.input<typeof EpssScoreSchema> }
  | { type: 'asset'; pointer: string; value: z.input<typeof AssetSchema> }
  | { type: 'control'; pointer: string; value: z.input<typeof ControlSchema> }
  | { type: 'warning'; pointer: string; message: string };

/** One input format. A folder under src/ingest/ with a parser.ts exporting `format`. */
export type IngestFormat = {
  /** Stable name, equal to the folder name; what `--format` takes. */
  name: string;
  kind: FormatKind;
  title: string;
  /**
   * Confidence in [0, 1] that the input is this format, from its first bytes (up to 64 KiB,
   * possibly cut mid-document) and its file name. 0 means "not mine"; a specific signature
   * (a schema URL, a tool name) should score higher than a generic shape.
   */
  detect(head: string, fileName: string): number;
  /** Streams records; throws IngestError (with a pointer) on malformed input. */
  parse(source: Source): AsyncIterable<ParsedRecord>;
};
