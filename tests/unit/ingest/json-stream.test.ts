import { describe, expect, it } from 'vitest';
import { IngestError } from '../../../src/domain/errors.ts';
import { type JsonMatch, readJson, streamJson } from '../../../src/ingest/common/json-stream.ts';
import type { Source } from '../../../src/ingest/format.ts';
import { textSource } from '../../helpers/fixtures.ts';

async function collect(source: Source, paths: string[]): Promise<JsonMatch[]> {
  const out: JsonMatch[] = [];
  for await (const match of streamJson(source, 'test', paths)) out.push(match);
  return out;
}

/** A source that delivers its text in tiny chunks, as a slow network or disk would. */
function chunked(name: string, text: string, size = 7): Source {
  return {
    name,
    async *open() {
      for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size));
    },
  } as unknown as Source;
}

describe('streamJson', () => {
  const doc = JSON.stringify({
    Version: 2,
    Results: [
      { T: 'a', V: [1, 2] },
      { T: 'b~/c', V: [] },
    ],
    Tail: 'x',
  });

  it('emits the values at the requested paths with their JSON pointers, in document order', async () => {
    const matches = await collect(chunked('r.json', doc), ['$.Version', '$.Results.*', '$.Tail']);
    expect(matches.map((m) => [m.pointer, m.value])).toEqual([
      ['/Version', 2],
      ['/Results/0', { T: 'a', V: [1, 2] }],
      ['/Results/1', { T: 'b~/c', V: [] }],
      ['/Tail', 'x'],
    ]);
  });

  it('emits deeper requested values before the value that holds them, and names object members by key', async () => {
    const text = JSON.stringify([{ name: 'p', applications: [{ a: 1 }, { a: 2 }] }]);
    const matches = await collect(chunked('s.json', text, 5), ['$.*', '$.*.applications.*']);
    expect(matches.map((m) => [m.path, m.pointer])).toEqual([
      ['$.*.applications.*', '/0/applications/0'],
      ['$.*.applications.*', '/0/applications/1'],
      ['$.*', '/0'],
    ]);
    const members = await collect(textSource('m.json', '{"vulnerabilities":{"lodash":{"x":1},"a/b":2}}'), [
      '$.vulnerabilities.*',
    ]);
    expect(members.map((m) => [m.path, m.pointer, m.value])).toEqual([
      ['$.vulnerabilities.lodash', '/vulnerabilities/lodash', { x: 1 }],
      ['$.vulnerabilities.a/b', '/vulnerabilities/a~1b', 2],
    ]);
  });

  it('handles strings with escaped quotes and brackets across chunk boundaries', async () => {
    const text = JSON.stringify({ Results: [{ T: 'a "quoted" ] } [ {', k: '\\' }, { 'odd"key': [1, { z: '}' }] }] });
    const matches = await collect(chunked('e.json', text, 3), ['$.Results.*']);
    expect(matches.map((m) => m.value)).toEqual(JSON.parse(text).Results);
  });

  it('still notices corrupt JSON in a part it skips', async () => {
    await expect(
      collect(textSource('c.json', '{"Metadata": {"a": tru}, "Results": []}'), ['$.Results.*']),
    ).rejects.toThrow(/c\.json \(test\) at byte 13: invalid JSON/);
  });

  it('streams the elements of a top-level array', async () => {
    const matches = await collect(textSource('a.json', '[{"a":1},{"b":2}]'), ['$.*']);
    expect(matches.map((m) => m.pointer)).toEqual(['/0', '/1']);
  });

  it.each([
    ['invalid JSON', '{"Results": [ {"a": 1,, } ]}', /bad\.json \(test\) at byte \d+: invalid JSON/],
    [
      'a truncated document',
      '{"Results": [ {"a": 1}, {"b"',
      /bad\.json \(test\) at byte \d+: the JSON document is truncated/,
    ],
    ['an empty file', '', /bad\.json \(test\) at byte 0: the file is empty/],
  ])('names the file and byte offset for %s', async (_case, text, message) => {
    const attempt = collect(textSource('bad.json', text), ['$.Results.*']);
    await expect(attempt).rejects.toBeInstanceOf(IngestError);
    await expect(attempt).rejects.toThrow(message);
  });
});

describe('readJson', () => {
  it('parses a small document and refuses one over the limit', async () => {
    expect(await readJson(textSource('a.json', '{"x":1}'), 'test')).toEqual({ x: 1 });
    await expect(readJson(textSource('a.json', '{"x":1}'), 'test', 3)).rejects.toThrow(/larger than 3 bytes/);
  });
});
