import type { z } from 'zod';
import { IngestError } from '../../domain/errors.ts';

type Where = { format: string; file: string; pointer: string };

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
};

function escapeKey(key: PropertyKey): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `["Resources", 0, "Id"]` -> `Resources[0].Id`, the way a reader names a field. */
function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((name, key) => {
    if (typeof key === 'number') return `${name}[${key}]`;
    return name ? `${name}.${String(key)}` : String(key);
  }, '');
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** What the field should have held, in the report's terms rather than zod's. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const field = issue.path.length ? `"${fieldName(issue.path)}"` : 'the record';
  const missing = issue.path.length && valueAt(input, issue.path) === undefined ? ' (it is missing)' : '';
  if (issue.code === 'invalid_type')
    return `expected ${field} to be ${EXPECTED[issue.expected] ?? issue.expected}${missing}`;
  if (issue.code === 'too_small' && issue.origin === 'string') return `expected ${field} to be a non-empty string`;
  if (issue.code === 'too_small' && issue.origin === 'array')
    return `expected ${field} to list at least ${issue.minimum} item(s)`;
  return `unexpected value for ${field}: ${issue.message}`;
}

/**
 * Parses one record with its schema or throws an IngestError whose pointer is the offending
 * field (record pointer + issue path), so the user can open the report at the right place.
 */
export function parseRecord<T extends z.ZodType>(schema: T, value: unknown, where: Where): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new IngestError({
    ...where,
    pointer: `${where.pointer}${issue.path.map((key) => `/${escapeKey(key)}`).join('')}`,
    message: describeIssue(issue, value),
    cause: parsed.error,
  });
}
