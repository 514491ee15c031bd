/**
 * A JSON document as spans of its text, so an edit can replace one value or insert one member and leave
 * every other byte (indentation, key order, line endings, trailing newline) as the author wrote it.
 * Callers validate the text with JSON.parse first; this reader assumes well-formed JSON.
 */
export type JsonNode =
  | { type: 'object'; start: number; end: number; members: JsonMember[] }
  | { type: 'array'; start: number; end: number; items: JsonNode[] }
  | { type: 'scalar'; start: number; end: number };

export type JsonMember = { key: string; keyStart: number; keyEnd: number; value: JsonNode };

/** One replacement of `text.slice(start, end)`. */
export type TextEdit = { start: number; end: number; text: string };

/** Reads the spans of a well-formed JSON text (throws on text JSON.parse would reject in a way it notices). */
export function readJsonSpans(text: string): JsonNode {
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && ' \t\r\n\uFEFF'.includes(text[at]!)) at++;
  };
  const fail = (what: string): never => {
    throw new Error(`malformed JSON at offset ${at}: expected ${what}`);
  };
  const readString = (): string => {
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    if (at >= text.length) fail('the end of a string');
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const readValue = (): JsonNode => {
    skipSpace();
    const start = at;
    const char = text[at];
    if (char === '{') {
      at++;
      const members: JsonMember[] = [];
      skipSpace();
      while (text[at] !== '}') {
        if (members.length) {
          if (text[at] !== ',') fail('"," or "}"');
          at++;
          skipSpace();
        }
        if (text[at] !== '"') fail('a key');
        const keyStart = at;
        const key = readString();
        const keyEnd = at;
        skipSpace();
        if (text[at] !== ':') fail('":"');
        at++;
        members.push({ key, keyStart, keyEnd, value: readValue() });
        skipSpace();
      }
      at++;
      return { type: 'object', start, end: at, members };
    }
    if (char === '[') {
      at++;
      const items: JsonNode[] = [];
      skipSpace();
      while (text[at] !== ']') {
        if (items.length) {
          if (text[at] !== ',') fail('"," or "]"');
          at++;
        }
        items.push(readValue());
        skipSpace();
      }
      at++;
      return { type: 'array', start, end: at, items };
    }
    if (char === '"') {
      readString();
      return { type: 'scalar', start, end: at };
    }
    while (at < text.length && /[-+.\w]/.test(text[at]!)) at++;
    if (at === start) fail('a value');
    return { type: 'scalar', start, end: at };
  };
  return readValue();
}

/** The member of an object node with this key (the last one, as JSON.parse keeps the last duplicate). */
export function memberOf(node: JsonNode | undefined, key: string): JsonMember | undefined {
  return node?.type === 'object' ? node.members.findLast((member) => member.key === key) : undefined;
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

/** The text's layout habits: one indentation step, its line break, and what separates a key from its value. */
export type JsonLayout = { indent: string; newline: string; colon: string };

/** Detects the layout: the first indented line gives the step (a tab or N spaces), default two spaces. */
export function detectLayout(text: string, root: JsonNode): JsonLayout {
  const indented = /\n([ \t]+)\S/.exec(text);
  const indent = indented ? (indented[1]!.startsWith('\t') ? '\t' : indented[1]!) : '  ';
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const first = root.type === 'object' ? root.members[0] : undefined;
  let colon = ': ';
  if (first) colon = text.slice(first.keyEnd, first.value.start);
  return { indent, newline, colon };
}

/** Whitespace that starts the line holding `offset`. */
export function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/**
 * An edit adding `"key": <value>` as the last member of an object. The value is rendered by `render`
 * given the new member's indentation, so nested objects follow the file's layout. Objects written on
 * one line stay on one line.
 */
export function insertMemberEdit(
  text: string,
  object: Extract<JsonNode, { type: 'object' }>,
  key: string,
  render: (memberIndent: string, multiline: boolean) => string,
  layout: JsonLayout,
): TextEdit {
  const member = (memberIndent: string, multiline: boolean) =>
    `${JSON.stringify(key)}${layout.colon}${render(memberIndent, multiline)}`;
  const last = object.members.at(-1);
  if (!last) {
    const ownIndent = lineIndent(text, object.start);
    const memberIndent = ownIndent + layout.indent;
    const inner = `${layout.newline}${memberIndent}${member(memberIndent, true)}${layout.newline}${ownIndent}`;
    return { start: object.start, end: object.end, text: `{${inner}}` };
  }
  const multiline = /\n/.test(text.slice(object.start, object.members[0]!.keyStart));
  if (!multiline) return { start: last.value.end, end: last.value.end, text: `, ${member('', false)}` };
  const memberIndent = lineIndent(text, last.keyStart);
  return {
    start: last.value.end,
    end: last.value.end,
    text: `,${layout.newline}${memberIndent}${member(memberIndent, true)}`,
  };
}
