import { IngestError } from '../../domain/errors.ts';
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from '../common/json-bytes.ts';
import type { Source } from '../format.ts';

/** What a scan of the top-level object found: the wanted values and every top-level key seen. */
export type TopLevel = { isObject: boolean; keys: Set<string>; values: Map<string, unknown> };

const BYTE_ORDER_MARK = new Set([0xef, 0xbb, 0xbf]);

function indexOrEnd(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at < 0 ? chunk.length : at;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Reads the values of a few top-level keys of a JSON object without parsing the rest. Grype
 * writes `source`, `distro` and `descriptor` after the (possibly huge) `matches` array, so the
 * context every finding needs is only known at the end. Tracking just string and nesting state
 * over the bytes is about ten times cheaper than a full JSON pass; only the wanted values are
 * parsed. The scan stops once the wanted values and the `mustSee` keys have been found. The
 * JSON's validity is left to the streaming pass that follows.
 */
export async function readTopLevelValues(
  source: Source,
  format: string,
  wanted: readonly string[],
  mustSee: readonly string[] = [],
): Promise<TopLevel> {
  const found: TopLevel = { isObject: false, keys: new Set(), values: new Map() };
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectKey = false;
  let keyBytes: number[] | null = null;
  let key: string | null = null;
  let awaitingValue = false;
  let capture: { key: string; parts: Buffer[]; start: number } | null = null;

  const finishCapture = (chunk: Buffer, end: number): void => {
    const { key: name, parts, start } = capture!;
    parts.push(chunk.subarray(start, end));
    capture = null;
    const text = Buffer.concat(parts).toString('utf8');
    try {
      found.values.set(name, JSON.parse(text));
    } catch (error) {
      throw new IngestError({
        format,
        file: source.name,
        pointer: `/${name}`,
        message: `invalid JSON (${(error as Error).message})`,
        cause: error,
      });
    }
  };

  const stream = source.open();
  try {
    for await (const data of stream) {
      const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
      if (capture) capture.start = 0;
      let quoteAt = -1;
      let backslashAt = -1;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (keyBytes === null) {
            // Inside a value string: jump to the next quote or backslash (native search).
            if (quoteAt < i) quoteAt = indexOrEnd(chunk, QUOTE, i);
            if (backslashAt < i) backslashAt = indexOrEnd(chunk, BACKSLASH, i);
            i = Math.min(quoteAt, backslashAt);
            if (i >= chunk.length) break;
            if (i === backslashAt) escaped = true;
            else inString = false;
          } else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) {
            inString = false;
            if (keyBytes) {
              key = Buffer.from(keyBytes).toString('utf8');
              found.keys.add(key);
              keyBytes = null;
            }
          } else if (keyBytes) keyBytes.push(byte);
          continue;
        }
        if (isWhitespace(byte) || (depth === 0 && BYTE_ORDER_MARK.has(byte))) continue;
        if (awaitingValue) {
          awaitingValue = false;
          if (key !== null && wanted.includes(key)) capture = { key, parts: [], start: i };
          key = null;
        }
        if (depth === 1 && capture && (byte === COMMA || byte === CLOSE_BRACE)) finishCapture(chunk, i);
        switch (byte) {
          case QUOTE:
            inString = true;
            if (depth === 1 && expectKey) {
              keyBytes = [];
              expectKey = false;
            }
            break;
          case OPEN_BRACE:
          case OPEN_BRACKET:
            depth += 1;
            if (depth === 1) {
              if (byte !== OPEN_BRACE) return found;
              found.isObject = true;
              expectKey = true;
            }
            break;
          case CLOSE_BRACE:
          case CLOSE_BRACKET:
            depth -= 1;
            if (depth === 0) return found;
            break;
          case COMMA:
            if (depth === 1) expectKey = true;
            break;
          case COLON:
            if (depth === 1 && key !== null) awaitingValue = true;
            break;
          default:
            // a scalar value byte; a scalar document is not an object
            if (depth === 0) return found;
        }
        if (found.values.size === wanted.length && mustSee.every((name) => found.keys.has(name))) return found;
      }
      if (capture) capture.parts.push(chunk.subarray(capture.start));
    }
  } catch (error) {
    if (error instanceof IngestError) throw error;
    // Unreadable input: the streaming pass reports it with its byte offset.
  } finally {
    stream.destroy();
  }
  return found;
}
