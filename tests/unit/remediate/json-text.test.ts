import { describe, expect, it } from 'vitest';
import { applyEdits, detectLayout, memberOf, readJsonSpans } from '../../../src/remediate/json-text.ts';

describe('readJsonSpans', () => {
  it('locates values exactly, escaped keys and nested arrays included', () => {
    const text = '{ "a\\"b" : [1, {"c": "d"}], "e": null, "e": "last" }';
    const root = readJsonSpans(text);
    const escaped = memberOf(root, 'a"b')!;
    expect(text.slice(escaped.value.start, escaped.value.end)).toBe('[1, {"c": "d"}]');
    const last = memberOf(root, 'e')!;
    expect(text.slice(last.value.start, last.value.end)).toBe('"last"');
    expect(detectLayout(text, root).colon).toBe(' : ');
    expect(applyEdits(text, [{ start: last.value.start, end: last.value.end, text: '"new"' }])).toBe(
      text.replace('"last"', '"new"'),
    );
  });

  it('detects tabs, spaces and CRLF', () => {
    const tabs = '{\r\n\t"a": 1\r\n}';
    expect(detectLayout(tabs, readJsonSpans(tabs))).toEqual({ indent: '\t', newline: '\r\n', colon: ': ' });
    const four = '{\n    "a": {\n        "b": 1\n    }\n}';
    expect(detectLayout(four, readJsonSpans(four)).indent).toBe('    ');
  });

  it('throws on text that is not JSON', () => {
    expect(() => readJsonSpans('{ "a" 1 }')).toThrow(/expected ":"/);
  });
});
