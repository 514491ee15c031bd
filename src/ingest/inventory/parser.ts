import type { z } from 'zod';
import { AssetSchema } from '../../domain/asset.ts';
import { ControlSchema } from '../../domain/control.ts';
import { IngestError } from '../../domain/errors.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectInventory } from './detect.ts';
import { atLine, type InventoryDocument, parseInventory } from './document.ts';
import { readText } from './read-text.ts';

const NAME = 'inventory';

const SCHEMAS = { assets: AssetSchema, controls: ControlSchema } as const;

/**
 * Checks each item against its domain schema here as well as in the pipeline: only here is the
 * YAML line known, and a person editing an inventory needs "line 42", not just "/assets/3/kind".
 */
function checkItem(doc: InventoryDocument, item: InventoryDocument['items'][number], source: Source): void {
  const parsed = (SCHEMAS[item.section] as z.ZodType).safeParse(item.value);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
  const name = path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key),
    '',
  );
  const field = name ? `"${name}": ` : '';
  throw new IngestError({
    format: NAME,
    file: source.name,
    pointer: `${item.pointer}${path.map((key) => `/${key}`).join('')}`,
    message: `${field}${issue.message}${atLine(doc.lineOf([item.section, item.index, ...path]) ?? doc.lineOf([item.section, item.index]))}`,
    cause: parsed.error,
  });
}

/** Assets and controls must be unique by id within one document, or one would silently replace the other. */
function checkUniqueIds(doc: InventoryDocument, source: Source): void {
  const seen = new Map<string, string>();
  for (const item of doc.items) {
    const id = (item.value as { id?: unknown }).id;
    const key = `${item.section}:${String(id)}`;
    const first = seen.get(key);
    if (first) {
      throw new IngestError({
        format: NAME,
        file: source.name,
        pointer: `${item.pointer}/id`,
        message: `duplicate ${item.section === 'assets' ? 'asset' : 'control'} id "${String(id)}" (first at ${first})${atLine(doc.lineOf([item.section, item.index, 'id']))}`,
      });
    }
    seen.set(key, item.pointer);
  }
}

/**
 * The estate: `{assets: [...], controls: [...]}` in YAML or JSON (either list may be absent).
 * Emits one `asset` / `control` record per item, pointers `/assets/3`, `/controls/0`.
 */
async function* parseInventoryFile(source: Source): AsyncGenerator<ParsedRecord> {
  const text = await readText(source, NAME);
  if (!text.trim()) {
    throw new IngestError({
      format: NAME,
      file: source.name,
      message: 'the file is empty; expected "assets" and/or "controls"',
    });
  }
  const doc = parseInventory(text, { format: NAME, file: source.name });
  for (const item of doc.items) checkItem(doc, item, source);
  checkUniqueIds(doc, source);
  for (const key of doc.unknownKeys) {
    yield {
      type: 'warning',
      pointer: `/${key}`,
      message: `unknown top-level key "${key}" ignored (expected "assets" and "controls")`,
    };
  }
  for (const item of doc.items) {
    if (item.section === 'assets')
      yield { type: 'asset', pointer: item.pointer, value: item.value as z.input<typeof AssetSchema> };
    else yield { type: 'control', pointer: item.pointer, value: item.value as z.input<typeof ControlSchema> };
  }
}

/** The asset and control inventory (YAML or JSON); see docs/inventory.md. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'inventory',
  title: 'Asset and control inventory (YAML or JSON, docs/inventory.md)',
  detect: detectInventory,
  parse: parseInventoryFile,
};
