import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { IngestError } from '../../domain/errors.ts';

/** The two lists an inventory may hold, in the order their records are emitted. */
export type Section = 'assets' | 'controls';

export const SECTIONS: readonly Section[] = ['assets', 'controls'];

/** One item of `assets` or `controls`, with its JSON pointer and its plain value. */
export type InventoryItem = { section: Section; index: number; pointer: string; value: unknown };

/** A parsed inventory: its items in document order, unknown top-level keys, and line lookup. */
export type InventoryDocument = {
  items: InventoryItem[];
  unknownKeys: string[];
  lineOf(path: readonly (string | number)[]): number | undefined;
};

/** ` (line 12)`, or nothing when the line is not known. */
export function atLine(line: number | undefined): string {
  return line === undefined ? '' : ` (line ${line})`;
}

const isSection = (key: string): key is Section => (SECTIONS as readonly string[]).includes(key);

/**
 * Parses YAML (or JSON, which YAML 1.2 reads as well) into the inventory's items. The `yaml`
 * package keeps every node's source range, so problems found later (a schema violation, a
 * duplicate id) can still name the line a person has to fix. A problem with the document as a
 * whole is located by its line; a problem with a list or an entry by its JSON pointer + line.
 */
export function parseInventory(text: string, where: { format: string; file: string }): InventoryDocument {
  const fail = (message: string, pointer: string | undefined, line: number | undefined): never => {
    const located = pointer
      ? { pointer, message: `${message}${atLine(line)}` }
      : { pointer: line ? `line ${line}` : undefined, message };
    throw new IngestError({ ...where, ...located });
  };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const position = firstError.linePos?.[0];
    const reason = firstError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    fail(`invalid YAML/JSON: ${reason}${position ? ` (column ${position.col})` : ''}`, undefined, position?.line);
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    const node = path.length ? doc.getIn(path, true) : doc.contents;
    const offset = (node as Node | undefined)?.range?.[0];
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
  const root = doc.contents;
  if (!isMap(root)) {
    const empty = root ? '' : ' (the document is empty)';
    return fail(`expected a mapping with "assets" and/or "controls"${empty}`, undefined, lineOf([]));
  }
  const keys = root.items.map((pair) => String((pair.key as { value?: unknown } | null)?.value ?? pair.key));
  if (!keys.some(isSection)) {
    fail('expected a mapping with "assets" and/or "controls" (found neither)', undefined, lineOf([]));
  }
  const plain = doc.toJS({ maxAliasCount: 1000 }) as Record<Section, unknown[] | null | undefined>;
  const items: InventoryItem[] = [];
  for (const section of SECTIONS) {
    const list = root.get(section, true);
    if (list === undefined || (list as { value?: unknown }).value === null) continue;
    if (!isSeq(list)) return fail(`expected "${section}" to be a list`, `/${section}`, lineOf([section]));
    for (const [index, node] of list.items.entries()) {
      const pointer = `/${section}/${index}`;
      if (!isMap(node)) fail(`expected each ${section} entry to be a mapping`, pointer, lineOf([section, index]));
      items.push({ section, index, pointer, value: plain[section]?.[index] });
    }
  }
  return { items, unknownKeys: keys.filter((key) => !isSection(key)), lineOf };
}
