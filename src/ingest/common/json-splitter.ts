/**
 * A streaming JSON splitter: walks the document's structure byte by byte (only object keys are
 * decoded on the way) and hands each value found at a requested path to the native JSON.parse.
 * General-purpose streaming parsers build every value token by token in JavaScript; here the
 * records, which are most of the bytes, are parsed natively, several times faster, while the
 * memory held is still one record (plus the current read chunk).
 */

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-bytes.ts';

/** Values skipped (not requested) up to this size are still parsed, so corrupt JSON is caught. */
const VALIDATE_SKIPPED_BYTES = 1 << 20;

export type Segment = string | number;

/** A problem at an absolute byte offset; the caller turns it into an IngestError. */
export class JsonSplitError extends Error {
  readonly offset: number;
  readonly truncated: boolean;
  constructor(message: string, offset: number, truncated = false) {
    super(message);
    this.name = 'JsonSplitError';
    this.offset = offset;
    this.truncated = truncated;
  }
}

type Pattern = (string | null)[]; // null = wildcard
type Frame = { array: boolean; key: Segment; expect: 'key' | 'colon' | 'value' | 'comma' | 'first' };
type Capture = { start: number; depth: number; inString: boolean; escaped: boolean; scalar: boolean; emit: boolean };

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

export function compilePattern(path: string): Pattern {
  if (path !== '$' && !path.startsWith('$.')) throw new Error(`unsupported JSON path "${path}"`);
  return path === '$'
    ? []
    : path
        .slice(2)
        .split('.')
        .map((s) => (s === '*' ? null : s));
}

function segmentMatches(pattern: string | null, segment: Segment): boolean {
  return pattern === null || pattern === String(segment);
}

/** Splits a byte stream into the values at `patterns`, in document order (descendants first). */
export class JsonSplitter {
  private readonly patterns: Pattern[];
  private buf: Buffer = Buffer.alloc(0);
  private base = 0; // absolute offset of buf[0]
  private pos = 0; // next byte to look at, relative to buf
  private readonly stack: Frame[] = [];
  private rootDone = false;
  private capture: Capture | undefined;

  constructor(patterns: Pattern[]) {
    this.patterns = patterns;
  }

  /** Feeds one chunk; calls `emit` for every completed requested value. */
  write(chunk: Buffer, emit: (path: Segment[], value: unknown) => void): void {
    const keep = this.capture ? this.capture.start - this.base : this.pos;
    this.buf = keep >= this.buf.length ? chunk : Buffer.concat([this.buf.subarray(keep), chunk]);
    this.base += keep;
    this.pos -= keep;
    this.run(emit, false);
  }

  /** Ends the stream: a still-open structure means the document was cut short. */
  end(emit: (path: Segment[], value: unknown) => void): void {
    this.run(emit, true);
    if (!this.rootDone && !this.capture && this.stack.length === 0) {
      throw new JsonSplitError('the file is empty; expected a JSON document', 0);
    }
    if (this.capture || this.stack.length || !this.rootDone) {
      throw new JsonSplitError('the JSON document is truncated', this.base + this.buf.length, true);
    }
  }

  private path(): Segment[] {
    return this.stack.map((f) => f.key);
  }

  private matches(path: Segment[]): { exact: boolean; prefix: boolean } {
    let exact = false;
    let prefix = false;
    for (const pattern of this.patterns) {
      if (pattern.length < path.length) continue;
      let ok = true;
      for (let i = 0; i < path.length && ok; i++) ok = segmentMatches(pattern[i]!, path[i]!);
      if (!ok) continue;
      if (pattern.length === path.length) exact = true;
      else prefix = true;
    }
    return { exact, prefix };
  }

  private fail(message: string, at: number): never {
    throw new JsonSplitError(
      message.startsWith('invalid JSON') ? message : `invalid JSON (${message})`,
      this.base + at,
    );
  }

  private run(emit: (path: Segment[], value: unknown) => void, final: boolean): void {
    const buf = this.buf;
    for (;;) {
      if (this.capture) {
        if (!this.scanCapture(final)) return;
        this.finishCapture(emit);
        continue;
      }
      while (this.pos < buf.length && isSpace(buf[this.pos]!)) this.pos++;
      if (this.pos >= buf.length) return;
      const byte = buf[this.pos]!;
      const frame = this.stack[this.stack.length - 1];
      if (!frame) {
        if (this.rootDone)
          this.fail(`unexpected "${String.fromCharCode(byte)}" after the end of the document`, this.pos);
        this.startValue(byte);
        continue;
      }
      switch (frame.expect) {
        case 'first':
          if (byte === (frame.array ? CLOSE_BRACKET : CLOSE_BRACE)) {
            this.pos++;
            this.closeFrame();
          } else if (frame.array) {
            frame.expect = 'value';
          } else {
            frame.expect = 'key';
          }
          break;
        case 'key': {
          if (byte !== QUOTE) this.fail('expected a property name in double quotes', this.pos);
          const end = this.stringEnd(this.pos + 1);
          if (end < 0) {
            if (final) throw new JsonSplitError('the JSON document is truncated', this.base + buf.length, true);
            return;
          }
          frame.key = this.decodeKey(this.pos, end);
          this.pos = end + 1;
          frame.expect = 'colon';
          break;
        }
        case 'colon':
          if (byte !== COLON) this.fail('expected ":" after a property name', this.pos);
          this.pos++;
          frame.expect = 'value';
          break;
        case 'value':
          this.startValue(byte);
          break;
        case 'comma':
          if (byte === COMMA) {
            this.pos++;
            if (frame.array) {
              frame.key = (frame.key as number) + 1;
              frame.expect = 'value';
            } else frame.expect = 'key';
          } else if (byte === (frame.array ? CLOSE_BRACKET : CLOSE_BRACE)) {
            this.pos++;
            this.closeFrame();
          } else this.fail(`expected "," or "${frame.array ? ']' : '}'}"`, this.pos);
          break;
      }
    }
  }

  private closeFrame(): void {
    this.stack.pop();
    this.afterValue();
  }

  private afterValue(): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.expect = 'comma';
    else this.rootDone = true;
  }

  private startValue(byte: number): void {
    const { exact, prefix } = this.matches(this.path());
    const container = byte === OPEN_BRACE || byte === OPEN_BRACKET;
    if (!exact && prefix && container) {
      this.pos++;
      this.stack.push({ array: byte === OPEN_BRACKET, key: 0, expect: 'first' });
      return;
    }
    this.capture = {
      start: this.base + this.pos,
      depth: 0,
      inString: false,
      escaped: false,
      scalar: !container && byte !== QUOTE,
      emit: exact,
    };
  }

  /** Advances the capture to its value's end; false when more bytes are needed. */
  private scanCapture(final: boolean): boolean {
    const c = this.capture!;
    const buf = this.buf;
    let i = this.pos;
    if (c.scalar) {
      while (i < buf.length) {
        const b = buf[i]!;
        if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || isSpace(b)) break;
        i++;
      }
      this.pos = i;
      return i < buf.length || final;
    }
    let { depth, inString, escaped } = c;
    for (; i < buf.length; i++) {
      const b = buf[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) {
          inString = false;
          if (depth === 0) {
            this.pos = i + 1;
            return true;
          }
        }
      } else if (b === QUOTE) inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          this.pos = i + 1;
          return true;
        }
      }
    }
    c.depth = depth;
    c.inString = inString;
    c.escaped = escaped;
    this.pos = i;
    return false;
  }

  private finishCapture(emit: (path: Segment[], value: unknown) => void): void {
    const c = this.capture!;
    this.capture = undefined;
    const start = c.start - this.base;
    const end = this.pos;
    const path = this.path();
    if (c.emit || end - start <= VALIDATE_SKIPPED_BYTES) {
      let value: unknown;
      try {
        value = JSON.parse(this.buf.toString('utf8', start, end));
      } catch (error) {
        this.fail(`invalid JSON (${(error as Error).message})`, start);
      }
      if (c.emit) this.emitWithDescendants(path, value, emit);
    }
    this.afterValue();
  }

  /** Deeper requested paths inside a captured value come first, as a streaming parser would. */
  private emitWithDescendants(
    path: Segment[],
    value: unknown,
    emit: (path: Segment[], value: unknown) => void,
    self = true,
  ): void {
    if (value !== null && typeof value === 'object' && this.matches(path).prefix) {
      const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
      for (const [key, child] of entries) {
        const childPath = [...path, key];
        const m = this.matches(childPath);
        if (m.exact || m.prefix) this.emitWithDescendants(childPath, child, emit, m.exact);
      }
    }
    if (self) emit(path, value);
  }

  /** Index of the closing quote of the string whose content starts at `from`, or -1. */
  private stringEnd(from: number): number {
    const buf = this.buf;
    for (let i = from; i < buf.length; i++) {
      const b = buf[i]!;
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) return i;
    }
    return -1;
  }

  private decodeKey(open: number, close: number): string {
    const raw = this.buf.toString('utf8', open, close + 1);
    if (!raw.includes('\\')) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return this.fail('invalid property name', open);
    }
  }
}
