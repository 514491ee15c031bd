import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IngestError } from '../../../src/domain/errors.ts';
import { invalidRecord, parseRecord } from '../../../src/ingest/common/record-error.ts';

const where = { format: 'test', file: 'r.json', pointer: '/items/3' };

/** The IngestError parseRecord throws for `value`. */
function failure(schema: z.ZodType, value: unknown): IngestError {
  try {
    parseRecord(schema, value, where);
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('expected parseRecord to throw');
}

describe('parseRecord', () => {
  it('returns the parsed record when it is valid', () => {
    expect(parseRecord(z.object({ id: z.string() }), { id: 'a', extra: 1 }, where)).toEqual({ id: 'a' });
  });

  it('tells a missing field from a wrong one', () => {
    const schema = z.object({ VulnerabilityID: z.string() });
    expect(failure(schema, {}).message).toBe(
      'r.json (test) at /items/3/VulnerabilityID: expected "VulnerabilityID" to be a string (it is missing)',
    );
    expect(failure(schema, { VulnerabilityID: 7 }).message).toBe(
      'r.json (test) at /items/3/VulnerabilityID: expected "VulnerabilityID" to be a string',
    );
  });

  it('names nested fields the way a reader writes them and escapes the pointer', () => {
    const schema = z.object({ 'a/b': z.array(z.object({ line: z.int() })) });
    const error = failure(schema, { 'a/b': [{ line: 1 }, { line: 1.5 }] });
    expect(error.pointer).toBe('/items/3/a~1b/1/line');
    expect(error.message).toBe('r.json (test) at /items/3/a~1b/1/line: expected "a/b[1].line" to be an integer');
  });

  it('calls a root violation "the record"', () => {
    expect(failure(z.object({}), 42).message).toBe('r.json (test) at /items/3: expected the record to be an object');
  });

  it('words emptiness, sizes and allowed values', () => {
    expect(failure(z.object({ x: z.string().min(1) }), { x: '' }).message).toMatch(
      /: expected "x" to be a non-empty string$/,
    );
    expect(failure(z.object({ x: z.array(z.string()).min(1) }), { x: [] }).message).toMatch(
      /: expected "x" to have at least 1 item\(s\)$/,
    );
    expect(failure(z.object({ x: z.enum(['a', 'b']) }), { x: 'c' }).message).toMatch(
      /: expected "x" to be one of "a", "b"$/,
    );
    expect(failure(z.object({ x: z.literal('CVE_RECORD') }), { x: 'c' }).message).toMatch(
      /: expected "x" to be "CVE_RECORD"$/,
    );
  });

  it('keeps the text of a refinement and of a pattern', () => {
    const refined = z.object({ x: z.string() }).refine(() => false, { message: 'expected "x" or "y"' });
    expect(failure(refined, { x: 'a' }).message).toBe('r.json (test) at /items/3: the record: expected "x" or "y"');
    const pattern = z.object({ d: z.string().regex(/^\d+$/, 'expected digits') });
    expect(failure(pattern, { d: 'x' }).message).toMatch(/: unexpected value for "d": expected digits$/);
  });

  it('says which kinds a union accepts, in the schema words when it has some', () => {
    const plain = z.object({ id: z.union([z.string(), z.number()]) });
    expect(failure(plain, { id: true }).message).toMatch(
      /at \/items\/3\/id: expected "id" to be a string or a number$/,
    );
    const worded = z.object({
      via: z.array(z.union([z.string().min(1), z.object({ url: z.string() })], { error: 'a name or an advisory' })),
    });
    expect(failure(worded, { via: [1] }).message).toMatch(
      /at \/items\/3\/via\/0: expected "via\[0\]" to be a name or an advisory$/,
    );
  });

  it('reports the union branch that got furthest, with its full path', () => {
    const schema = z.object({
      via: z.array(z.union([z.string(), z.object({ cwe: z.array(z.string()) })], { error: 'a name or an advisory' })),
    });
    expect(failure(schema, { via: [{ cwe: 'CWE-79' }] }).message).toBe(
      'r.json (test) at /items/3/via/0/cwe: expected "via[0].cwe" to be an array',
    );
  });
});

describe('invalidRecord', () => {
  it('returns the error, and cannot say "(it is missing)" without the record', () => {
    const schema = z.object({ id: z.string() });
    const parsed = schema.safeParse({});
    if (parsed.success) throw new Error('expected a failure');
    const error = invalidRecord(where, parsed.error);
    expect(error).toBeInstanceOf(IngestError);
    expect(error.cause).toBe(parsed.error);
    expect(error.message).toBe('r.json (test) at /items/3/id: expected "id" to be a string');
    expect(invalidRecord(where, parsed.error, {}).message).toMatch(/to be a string \(it is missing\)$/);
  });
});
