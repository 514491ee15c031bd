import type { TextEdit } from '../json-text.ts';
import { TerraformEditError } from './errors.ts';

/**
 * Terraform (HCL native syntax) as spans of its text. hcl2json says what a file means but not where: this
 * scanner finds blocks, attributes and literal values with their offsets so an edit replaces exactly the
 * bytes it must, and every comment, alignment and blank line stays as written. It understands comments
 * (`#`, `//`, `/* *\/`), quoted strings with `${...}` / `%{...}` templates, heredocs and nested brackets;
 * everything that is not a literal is kept as an opaque `expression`. Callers check the text with hcl2json
 * first and after every edit: the scanner assumes well-formed HCL.
 */

type TokenKind = 'ident' | 'number' | 'string' | 'heredoc' | 'punct' | 'newline' | 'eof';

type Token = {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
  /** Decoded content of a string or heredoc without interpolation. */
  value?: string;
  template?: boolean;
  contentStart?: number;
  contentEnd?: number;
};

type Span = { start: number; end: number };

/** A value as written: literals are decoded, everything else (references, operators, for) stays opaque. */
export type HclValue =
  | (Span & { kind: 'string'; value: string })
  | (Span & { kind: 'template' })
  | (Span & { kind: 'heredoc'; contentStart: number; contentEnd: number; template: boolean })
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'bool'; value: boolean })
  | (Span & { kind: 'null' })
  | (Span & { kind: 'list'; items: HclValue[] })
  | (Span & { kind: 'object'; items: HclAttribute[] })
  | (Span & { kind: 'call'; name: string; args: HclValue[] })
  | (Span & { kind: 'expression'; text: string });

/** `name = value` in a body, or `key = value` / `key: value` in an object. `start` is the name's start. */
export type HclAttribute = Span & { name: string; nameEnd: number; line: number; column: number; value: HclValue };

/** `type "label" ... { body }`; `end` is just past the closing brace. */
export type HclBlock = Span & {
  type: string;
  labels: string[];
  line: number;
  column: number;
  bodyStart: number;
  bodyEnd: number;
  attributes: HclAttribute[];
  blocks: HclBlock[];
};

/** What a file or block body holds, in source order. */
export type HclBody = { attributes: HclAttribute[]; blocks: HclBlock[] };

const PUNCT3 = ['...'];
const PUNCT2 = ['==', '!=', '<=', '>=', '&&', '||', '=>'];

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Whitespace that starts the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** The file's indentation step: the first indented line's leading whitespace, two spaces by default. */
export function indentUnit(text: string): string {
  const indented = /\n([ \t]+)\S/.exec(text);
  if (!indented) return '  ';
  return indented[1]!.startsWith('\t') ? '\t' : indented[1]!;
}

/** The line break the file uses. */
export const newlineOf = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

/** The span of whole lines covering [start, end): from the first line's start through the last line's break. */
export function wholeLines(text: string, start: number, end: number): Span {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const next = text.indexOf('\n', end);
  return { start: lineStart, end: next === -1 ? text.length : next + 1 };
}

/** True when [start, end) is alone on its lines, but for whitespace, a trailing comma and a trailing comment. */
export function aloneOnLines(text: string, start: number, end: number): boolean {
  const lines = wholeLines(text, start, end);
  const before = text.slice(lines.start, start);
  const after = text.slice(end, lines.end);
  return /^[ \t]*$/.test(before) && /^[ \t]*,?[ \t]*((#|\/\/).*)?\r?\n?$/.test(after);
}

function decodeEscapes(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{/g, (match, sequence: string | undefined) => {
    if (match === '$${') return '${';
    if (match === '%%{') return '%{';
    if (!sequence) return match;
    if (sequence.length > 1) return String.fromCodePoint(Number.parseInt(sequence.slice(1), 16));
    return { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' }[sequence] ?? sequence;
  });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const fail = (what: string): never => {
    const { line, column } = lineColumn(text, at);
    throw new TerraformEditError('invalid', `cannot read the HCL at line ${line}, column ${column}: ${what}`);
  };

  // A quoted string from its opening quote; returns the offset after the closing quote.
  const scanString = (from: number): { end: number; template: boolean } => {
    let i = from + 1;
    let template = false;
    while (i < text.length) {
      const char = text[i]!;
      if (char === '\\') i += 2;
      else if (char === '"') return { end: i + 1, template };
      else if (char === '\n') break;
      else if ((char === '$' || char === '%') && text[i + 1] === char && text[i + 2] === '{') i += 3;
      else if ((char === '$' || char === '%') && text[i + 1] === '{') {
        template = true;
        i = skipInterpolation(i + 2);
      } else i++;
    }
    at = from;
    return fail('an unterminated string');
  };
  // Inside `${ ... }`: returns the offset after the matching brace, stepping over nested strings.
  const skipInterpolation = (from: number): number => {
    let depth = 1;
    let i = from;
    while (i < text.length) {
      const char = text[i]!;
      if (char === '"') i = scanString(i).end;
      else if (char === '{') {
        depth++;
        i++;
      } else if (char === '}') {
        depth--;
        i++;
        if (depth === 0) return i;
      } else i++;
    }
    at = from;
    return fail('an unterminated template interpolation');
  };

  while (at < text.length) {
    const char = text[at]!;
    const start = at;
    if (char === ' ' || char === '\t' || char === '\r' || char === '\uFEFF') {
      at++;
    } else if (char === '\n') {
      tokens.push({ kind: 'newline', start, end: ++at, text: '\n' });
    } else if (char === '#' || (char === '/' && text[at + 1] === '/')) {
      while (at < text.length && text[at] !== '\n') at++;
    } else if (char === '/' && text[at + 1] === '*') {
      const close = text.indexOf('*/', at + 2);
      if (close === -1) fail('an unterminated comment');
      at = close + 2;
    } else if (char === '"') {
      const { end, template } = scanString(at);
      at = end;
      const raw = text.slice(start + 1, end - 1);
      tokens.push({
        kind: 'string',
        start,
        end,
        text: text.slice(start, end),
        template,
        value: template ? undefined : decodeEscapes(raw),
      });
    } else if (
      char === '<' &&
      text[at + 1] === '<' &&
      /^<<-?[A-Za-z_][\w-]*[ \t]*\r?\n/.test(text.slice(at, at + 200))
    ) {
      const head = /^<<(-?)([A-Za-z_][\w-]*)[ \t]*\r?\n/.exec(text.slice(at))!;
      const indented = head[1] === '-';
      const marker = head[2]!;
      const contentStart = at + head[0].length;
      let lineStart = contentStart;
      let found = -1;
      while (lineStart <= text.length) {
        const lineEnd = text.indexOf('\n', lineStart);
        const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd).replace(/\r$/, '');
        if (line.trim() === marker && (indented || line.startsWith(marker))) {
          found = lineStart;
          break;
        }
        if (lineEnd === -1) break;
        lineStart = lineEnd + 1;
      }
      if (found === -1) fail(`a heredoc without its closing ${marker}`);
      const markerAt = text.indexOf(marker, found);
      at = markerAt + marker.length;
      const content = text.slice(contentStart, found);
      const template = /(^|[^$])\$\{|(^|[^%])%\{/.test(content);
      let lines = content.split('\n');
      if (indented) {
        const widths = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
        const strip = widths.length ? Math.min(...widths) : 0;
        lines = lines.map((l) => l.slice(Math.min(strip, /^[ \t]*/.exec(l)![0].length)));
      }
      tokens.push({
        kind: 'heredoc',
        start,
        end: at,
        text: text.slice(start, at),
        template,
        value: lines.join('\n'),
        contentStart,
        contentEnd: found,
      });
    } else if (/[A-Za-z_]/.test(char)) {
      while (at < text.length && /[\w-]/.test(text[at]!)) at++;
      tokens.push({ kind: 'ident', start, end: at, text: text.slice(start, at) });
    } else if (/\d/.test(char)) {
      const number = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at))![0];
      at += number.length;
      tokens.push({ kind: 'number', start, end: at, text: number });
    } else {
      const three = text.slice(at, at + 3);
      const two = text.slice(at, at + 2);
      const punct = PUNCT3.includes(three) ? three : PUNCT2.includes(two) ? two : char;
      at += punct.length;
      tokens.push({ kind: 'punct', start, end: at, text: punct });
    }
  }
  tokens.push({ kind: 'eof', start: text.length, end: text.length, text: '' });
  return tokens;
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

/** Scans a whole file (or any body) into its attributes and blocks, nested blocks included. */
export function scanHcl(text: string): HclBody {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i]!;
  const next = () => tokens[i++]!;
  const fail = (what: string): never => {
    const { line, column } = lineColumn(text, peek().start);
    throw new TerraformEditError('invalid', `cannot read the HCL at line ${line}, column ${column}: expected ${what}`);
  };
  const isPunct = (token: Token, punct: string) => token.kind === 'punct' && token.text === punct;
  const skipNewlines = () => {
    while (peek().kind === 'newline') i++;
  };
  const expect = (punct: string) => {
    if (!isPunct(peek(), punct)) fail(`"${punct}"`);
    return next();
  };

  // Consumes a balanced group from an opener; returns its end.
  const skipGroup = (): number => {
    const open = next();
    const close = OPENERS[open.text]!;
    let depth = 1;
    while (depth > 0) {
      const token = next();
      if (token.kind === 'eof') fail(`"${close}"`);
      if (token.kind === 'punct' && OPENERS[token.text]) depth++;
      else if (token.kind === 'punct' && CLOSERS.has(token.text)) depth--;
    }
    return tokens[i - 1]!.end;
  };

  const atTerminator = (newlineEnds: boolean): boolean => {
    const token = peek();
    if (token.kind === 'eof') return true;
    if (token.kind === 'newline') return newlineEnds;
    return token.kind === 'punct' && (token.text === ',' || CLOSERS.has(token.text));
  };

  // Inside brackets and call arguments newlines mean nothing; in bodies and objects they end a value.
  const parseExpression = (newlineEnds: boolean): HclValue => {
    const primary = parsePrimary();
    let end = primary.end;
    let extended = false;
    for (;;) {
      if (!newlineEnds) skipNewlines();
      if (atTerminator(newlineEnds)) break;
      // Traversals, operators, conditionals: consume to the end of the expression and keep it opaque.
      const token = peek();
      end = token.kind === 'punct' && OPENERS[token.text] ? skipGroup() : next().end;
      extended = true;
    }
    return extended ? { kind: 'expression', start: primary.start, end, text: text.slice(primary.start, end) } : primary;
  };

  const parsePrimary = (): HclValue => {
    const token = peek();
    const start = token.start;
    if (token.kind === 'string') {
      next();
      return token.template
        ? { kind: 'template', start, end: token.end }
        : { kind: 'string', start, end: token.end, value: token.value! };
    }
    if (token.kind === 'heredoc') {
      next();
      return {
        kind: 'heredoc',
        start,
        end: token.end,
        contentStart: token.contentStart!,
        contentEnd: token.contentEnd!,
        template: token.template ?? false,
      };
    }
    if (token.kind === 'number') {
      next();
      return { kind: 'number', start, end: token.end, value: Number(token.text) };
    }
    if (token.kind === 'ident') {
      next();
      if (token.text === 'true' || token.text === 'false') {
        return { kind: 'bool', start, end: token.end, value: token.text === 'true' };
      }
      if (token.text === 'null') return { kind: 'null', start, end: token.end };
      if (isPunct(peek(), '(')) {
        next();
        const args: HclValue[] = [];
        skipNewlines();
        while (!isPunct(peek(), ')')) {
          args.push(parseExpression(false));
          skipNewlines();
          if (isPunct(peek(), '...')) next();
          if (isPunct(peek(), ',')) next();
          else if (!isPunct(peek(), ')')) fail('"," or ")"');
          skipNewlines();
        }
        const end = next().end;
        return { kind: 'call', start, end, name: token.text, args };
      }
      return { kind: 'expression', start, end: token.end, text: token.text };
    }
    if (isPunct(token, '[') || isPunct(token, '{')) {
      const after = tokens.slice(i + 1).find((t) => t.kind !== 'newline');
      if (after?.kind === 'ident' && after.text === 'for') {
        const end = skipGroup();
        return { kind: 'expression', start, end, text: text.slice(start, end) };
      }
      return isPunct(token, '[') ? parseList() : parseObject();
    }
    if (isPunct(token, '(')) {
      const end = skipGroup();
      return { kind: 'expression', start, end, text: text.slice(start, end) };
    }
    if (isPunct(token, '-') && tokens[i + 1]?.kind === 'number') {
      next();
      const number = next();
      return { kind: 'number', start, end: number.end, value: -Number(number.text) };
    }
    if (isPunct(token, '-') || isPunct(token, '!')) {
      next();
      const operand = parsePrimary();
      return { kind: 'expression', start, end: operand.end, text: text.slice(start, operand.end) };
    }
    return fail('a value');
  };

  const parseList = (): HclValue => {
    const start = next().start;
    const items: HclValue[] = [];
    skipNewlines();
    while (!isPunct(peek(), ']')) {
      items.push(parseExpression(false));
      skipNewlines();
      if (isPunct(peek(), ',')) next();
      else if (!isPunct(peek(), ']')) fail('"," or "]"');
      skipNewlines();
    }
    return { kind: 'list', start, end: next().end, items };
  };

  const parseObject = (): HclValue => {
    const start = next().start;
    const items: HclAttribute[] = [];
    skipNewlines();
    while (!isPunct(peek(), '}')) {
      const key = peek();
      let name: string;
      let nameEnd: number;
      if (key.kind === 'ident' || key.kind === 'number') {
        next();
        name = key.text;
        nameEnd = key.end;
      } else if (key.kind === 'string' && !key.template) {
        next();
        name = key.value!;
        nameEnd = key.end;
      } else if (isPunct(key, '(') || key.kind === 'string') {
        nameEnd = isPunct(key, '(') ? skipGroup() : next().end;
        name = text.slice(key.start, nameEnd);
      } else {
        return fail('an object key');
      }
      if (!isPunct(peek(), '=') && !isPunct(peek(), ':')) fail('"=" or ":"');
      next();
      skipNewlines();
      const value = parseExpression(true);
      items.push({ name, start: key.start, nameEnd, end: value.end, ...lineColumn(text, key.start), value });
      if (isPunct(peek(), ',')) next();
      skipNewlines();
    }
    return { kind: 'object', start, end: next().end, items };
  };

  const parseBody = (inBlock: boolean): HclBody => {
    const body: HclBody = { attributes: [], blocks: [] };
    for (;;) {
      skipNewlines();
      const token = peek();
      if (token.kind === 'eof') {
        if (inBlock) fail('"}"');
        return body;
      }
      if (isPunct(token, '}')) {
        if (!inBlock) fail('an attribute or a block');
        return body;
      }
      if (token.kind !== 'ident') fail('an attribute or a block');
      next();
      if (isPunct(peek(), '=')) {
        next();
        const value = parseExpression(true);
        body.attributes.push({
          name: token.text,
          start: token.start,
          nameEnd: token.end,
          end: value.end,
          ...lineColumn(text, token.start),
          value,
        });
        continue;
      }
      const labels: string[] = [];
      while (peek().kind === 'string' || peek().kind === 'ident') {
        const label = next();
        labels.push(label.kind === 'string' ? (label.value ?? label.text) : label.text);
      }
      const open = expect('{');
      const inner = parseBody(true);
      const close = expect('}');
      body.blocks.push({
        type: token.text,
        labels,
        start: token.start,
        end: close.end,
        ...lineColumn(text, token.start),
        bodyStart: open.end,
        bodyEnd: close.start,
        ...inner,
      });
    }
  };

  return parseBody(false);
}

/** A resource or data source address: `aws_s3_bucket.logs` or `data.aws_iam_policy_document.admin`. */
export type ResourceAddress = { mode: 'resource' | 'data'; type: string; name: string };

/** Terraform's grammar for a (managed or data) resource address without module path or index. */
export const RESOURCE_ADDRESS = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)$/;

/** Reads an address, or a TerraformEditError saying what one looks like. */
export function parseAddress(address: string): ResourceAddress {
  const match = RESOURCE_ADDRESS.exec(address.trim());
  if (!match) {
    throw new TerraformEditError(
      'invalid',
      `"${address}" is not a resource address such as aws_security_group.web or data.aws_iam_policy_document.x`,
    );
  }
  return { mode: match[1] ? 'data' : 'resource', type: match[2]!, name: match[3]! };
}

/** The address as Terraform prints it. */
export const formatAddress = (address: ResourceAddress): string =>
  `${address.mode === 'data' ? 'data.' : ''}${address.type}.${address.name}`;

/** Top-level `resource`/`data` blocks of a file with their addresses. */
export function resourcesOf(body: HclBody): { address: ResourceAddress; block: HclBlock }[] {
  return body.blocks.flatMap((block) =>
    (block.type === 'resource' || block.type === 'data') && block.labels.length === 2
      ? [{ address: { mode: block.type, type: block.labels[0]!, name: block.labels[1]! }, block }]
      : [],
  );
}

/** The block for an address, or a TerraformEditError naming what the file does hold. */
export function findResource(body: HclBody, address: ResourceAddress, fileName: string): HclBlock {
  const all = resourcesOf(body);
  const found = all.find(
    (entry) =>
      entry.address.mode === address.mode && entry.address.type === address.type && entry.address.name === address.name,
  );
  if (found) return found.block;
  const same = all.filter((entry) => entry.address.type === address.type).map((entry) => formatAddress(entry.address));
  throw new TerraformEditError(
    'not_found',
    `${fileName} has no ${formatAddress(address)}` +
      (same.length ? ` (it has ${same.join(', ')})` : ` (it has no ${address.type} at all)`),
  );
}

/** The last attribute of a body or object with this name (HCL rejects duplicates; objects keep the last). */
export const attributeOf = (holder: { attributes: HclAttribute[] } | { items: HclAttribute[] }, name: string) =>
  ('attributes' in holder ? holder.attributes : holder.items).findLast((attribute) => attribute.name === name);

/** A literal's value as hcl2json would give it (strings, numbers, bools); null for anything else. */
export function literalOf(value: HclValue | undefined): string | number | boolean | null {
  if (!value) return null;
  if (value.kind === 'string' || value.kind === 'number' || value.kind === 'bool') return value.value;
  return null;
}

/** An expression with all whitespace removed, for comparing references (`aws_s3_bucket.logs.id`). */
export const compactExpression = (value: HclValue | undefined, text: string): string =>
  value ? text.slice(value.start, value.end).replace(/\s+/g, '') : '';

/** One item of a list as an edit sees it: its span and, for string literals, its value. */
export type ListItemSpan = Span & { value: string | null };

/**
 * Edits replacing the items of a list that `replace` selects: the first selected item becomes `insert`
 * (rendered items, already quoted), the others go. A list written on one line stays on one line; in a list
 * with one item per line, each inserted item gets its own line (with a trailing comma) at the same
 * indentation, and a replaced or removed item takes its line, and its comment, with it. Returns null when the list would be left empty (the caller decides what then).
 */
export function replaceListItems(
  text: string,
  list: Span & { items: ListItemSpan[] },
  replace: (value: string | null) => boolean,
  insert: readonly string[],
): TextEdit[] | null {
  const selected = list.items.filter((item) => replace(item.value));
  if (selected.length === 0) return [];
  const kept = list.items.filter((item) => !replace(item.value));
  if (kept.length === 0 && insert.length === 0) return null;
  const multiline = text.slice(list.start, list.end).includes('\n');
  if (!multiline) {
    const rendered: string[] = [];
    for (const item of list.items) {
      if (item === selected[0]) rendered.push(...insert);
      else if (!selected.includes(item)) rendered.push(text.slice(item.start, item.end));
    }
    const inner = text.slice(list.start + 1, list.end - 1);
    const pad = /^\s/.test(inner) && /\s$/.test(inner) ? ' ' : '';
    return [{ start: list.start, end: list.end, text: `[${pad}${rendered.join(', ')}${pad}]` }];
  }
  const edits: TextEdit[] = [];
  for (const [index, item] of selected.entries()) {
    if (index === 0 && insert.length) {
      const newline = newlineOf(text);
      const indent = indentAt(text, item.start);
      if (aloneOnLines(text, item.start, item.end)) {
        // The item's line goes with its comment (it described what is removed); each new item gets a line.
        const lines = wholeLines(text, item.start, item.end);
        edits.push({ ...lines, text: insert.map((entry) => `${indent}${entry},${newline}`).join('') });
      } else {
        edits.push({ start: item.start, end: item.end, text: insert.join(`,${newline}${indent}`) });
      }
    } else if (aloneOnLines(text, item.start, item.end)) {
      edits.push({ ...wholeLines(text, item.start, item.end), text: '' });
    } else {
      const comma = /^\s*,\s*/.exec(text.slice(item.end));
      edits.push({ start: item.start, end: item.end + (comma ? comma[0].length : 0), text: '' });
    }
  }
  return edits;
}

/** Quotes a value as an HCL string literal. */
export const hclString = (value: string): string =>
  `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/([$%])\{/g, (_, marker: string) => `${marker}${marker}{`)}"`;
