import { ManifestEditError } from '../dependency-edit.ts';

/**
 * Just enough of TOML's surface to find where a value sits in the text: table headers, `key = value`
 * lines, strings, arrays and inline tables, with their spans. smol-toml parses the document (and says
 * whether it is valid); this only locates, so an edit can replace one string and leave every other byte.
 */
export type TomlNode =
  | { type: 'string'; start: number; end: number; value: string; quote: '"' | "'"; multiline: boolean }
  | { type: 'array'; start: number; end: number; items: TomlNode[] }
  | { type: 'inline-table'; start: number; end: number; entries: TomlEntry[] }
  | { type: 'other'; start: number; end: number };

export type TomlEntry = { key: string[]; keyStart: number; lineStart: number; value: TomlNode };

/** A `[table]` (or `[[array]]`) and the `key = value` entries written under it. */
export type TomlTable = { name: string[]; headerStart: number; end: number; entries: TomlEntry[] };

const BARE_KEY = /^[A-Za-z0-9_-]+/;

function fail(at: number, what: string): never {
  throw new ManifestEditError(`cannot read the TOML at offset ${at}: expected ${what}`);
}

function skipSpace(text: string, at: number, newlines: boolean): number {
  let pos = at;
  for (;;) {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t' || (newlines && /[\r\n]/.test(text[pos]!)))) {
      pos++;
    }
    if (newlines && text[pos] === '#') {
      while (pos < text.length && text[pos] !== '\n') pos++;
      continue;
    }
    return pos;
  }
}

const ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\u001b',
  '"': '"',
  '\\': '\\',
};

function readString(text: string, at: number): Extract<TomlNode, { type: 'string' }> {
  const quote = text[at] as '"' | "'";
  const multiline = text.startsWith(quote.repeat(3), at);
  const delimiter = multiline ? quote.repeat(3) : quote;
  let pos = at + delimiter.length;
  let value = '';
  if (multiline && text[pos] === '\n') pos++;
  else if (multiline && text.startsWith('\r\n', pos)) pos += 2;
  for (;;) {
    if (pos >= text.length || (!multiline && text[pos] === '\n')) fail(at, 'the end of a string');
    if (text.startsWith(delimiter, pos)) {
      // Up to two more quotes may close a multi-line string (`""""` ends with one quote of content).
      let close = pos + delimiter.length;
      while (multiline && text[close] === quote && close - pos < 5) close++;
      value += quote.repeat(close - pos - delimiter.length);
      return { type: 'string', start: at, end: close, value, quote, multiline };
    }
    const char = text[pos]!;
    if (quote === '"' && char === '\\') {
      const next = text[pos + 1]!;
      if (next === 'u' || next === 'U') {
        const length = next === 'u' ? 4 : 8;
        value += String.fromCodePoint(Number.parseInt(text.slice(pos + 2, pos + 2 + length), 16));
        pos += 2 + length;
      } else if (multiline && /[ \t\r\n]/.test(next)) {
        pos = skipSpace(text, pos + 1, true);
      } else {
        value += ESCAPES[next] ?? fail(pos, 'a valid escape');
        pos += 2;
      }
    } else {
      value += char;
      pos++;
    }
  }
}

function readKey(text: string, at: number): { key: string[]; end: number } {
  const key: string[] = [];
  let pos = at;
  for (;;) {
    pos = skipSpace(text, pos, false);
    if (text[pos] === '"' || text[pos] === "'") {
      const part = readString(text, pos);
      key.push(part.value);
      pos = part.end;
    } else {
      const bare = BARE_KEY.exec(text.slice(pos))?.[0] ?? fail(pos, 'a key');
      key.push(bare);
      pos += bare.length;
    }
    pos = skipSpace(text, pos, false);
    if (text[pos] !== '.') return { key, end: pos };
    pos++;
  }
}

/** Reads the value at `at`: strings, arrays and inline tables in detail, anything else as a span. */
export function readValue(text: string, at: number): TomlNode {
  const char = text[at];
  if (char === '"' || char === "'") return readString(text, at);
  if (char === '[') {
    const items: TomlNode[] = [];
    let pos = skipSpace(text, at + 1, true);
    while (text[pos] !== ']') {
      const item = readValue(text, pos);
      items.push(item);
      pos = skipSpace(text, item.end, true);
      if (text[pos] === ',') pos = skipSpace(text, pos + 1, true);
      else if (text[pos] !== ']') fail(pos, '"," or "]"');
    }
    return { type: 'array', start: at, end: pos + 1, items };
  }
  if (char === '{') {
    const entries: TomlEntry[] = [];
    let pos = skipSpace(text, at + 1, false);
    while (text[pos] !== '}') {
      const { key, end } = readKey(text, pos);
      if (text[end] !== '=') fail(end, '"="');
      const value = readValue(text, skipSpace(text, end + 1, false));
      entries.push({ key, keyStart: pos, lineStart: pos, value });
      pos = skipSpace(text, value.end, false);
      if (text[pos] === ',') pos = skipSpace(text, pos + 1, false);
      else if (text[pos] !== '}') fail(pos, '"," or "}"');
    }
    return { type: 'inline-table', start: at, end: pos + 1, entries };
  }
  let pos = at;
  while (pos < text.length && !/[,\]}\r\n#]/.test(text[pos]!)) pos++;
  while (pos > at && /[ \t]/.test(text[pos - 1]!)) pos--;
  if (pos === at) fail(at, 'a value');
  return { type: 'other', start: at, end: pos };
}

/**
 * The tables of a TOML document in order, each with its entries (the root table has an empty name).
 * Callers parse the document with smol-toml first: this reader trusts it is valid.
 */
export function readTables(text: string): TomlTable[] {
  const tables: TomlTable[] = [{ name: [], headerStart: 0, end: text.length, entries: [] }];
  let pos = 0;
  while (pos < text.length) {
    pos = skipSpace(text, pos, true);
    if (pos >= text.length) break;
    if (text[pos] === '[') {
      const double = text[pos + 1] === '[';
      const { key, end } = readKey(text, pos + (double ? 2 : 1));
      tables.at(-1)!.end = pos;
      tables.push({ name: key, headerStart: pos, end: text.length, entries: [] });
      pos = end + (double ? 2 : 1);
    } else {
      const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
      const { key, end } = readKey(text, pos);
      if (text[end] !== '=') fail(end, '"="');
      const value = readValue(text, skipSpace(text, end + 1, false));
      tables.at(-1)!.entries.push({ key, keyStart: pos, lineStart, value });
      pos = value.end;
    }
    while (pos < text.length && text[pos] !== '\n') pos++;
  }
  return tables;
}

/** A TOML string literal for `value`, in the quote style of the one it replaces when that style can hold it. */
export function renderString(value: string, like: { quote: '"' | "'" } | null): string {
  if (like?.quote === "'" && !/['\r\n]/.test(value)) return `'${value}'`;
  return JSON.stringify(value);
}
