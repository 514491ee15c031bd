import { IngestError } from '../../domain/errors.ts';
import { requireJsonRoot } from '../common/json-root.ts';
import { readJson, streamJson } from '../common/json-stream.ts';
import type { Source } from '../format.ts';

/** One ASFF finding as it sits in the file, with its JSON pointer. */
export type AsffRecord = { pointer: string; value: unknown };

const SHAPES =
  'a "Findings" array (as `aws securityhub get-findings` writes), a bare array of findings, or one finding';

/**
 * ASFF arrives in three shapes: `{"Findings": [...]}` (also lower-case `findings`, as some
 * exports write it), a bare array, or one finding object. Arrays are streamed element by
 * element; a single finding is small and read whole. The root is peeked first because asking
 * for `$.*` on a wrapper object would make the parser keep the whole findings array.
 */
export async function* readAsffRecords(source: Source, format: string): AsyncGenerator<AsffRecord> {
  const root = await requireJsonRoot(source, format, ['[', '{'], SHAPES);
  if (root === '[') {
    for await (const { pointer, value } of streamJson(source, format, ['$.*'])) yield { pointer, value };
    return;
  }

  let streamed = 0;
  let singleFinding = false;
  for await (const match of streamJson(source, format, ['$.Findings.*', '$.findings.*', '$.Id'])) {
    if (match.path === '$.Id') {
      singleFinding = true;
      continue;
    }
    streamed += 1;
    yield { pointer: match.pointer, value: match.value };
  }
  if (streamed) return;
  // Nothing streamed: one finding object, an empty "Findings" array, or not ASFF at all.
  const document = (await readJson(source, format)) as Record<string, unknown>;
  if (singleFinding) {
    yield { pointer: '', value: document };
    return;
  }
  if (!Array.isArray(document.Findings ?? document.findings)) {
    throw new IngestError({ format, file: source.name, pointer: '', message: `expected ${SHAPES}` });
  }
}
