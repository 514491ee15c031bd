import type { z } from 'zod';
import { IngestError } from '../../domain/errors.ts';

type Issue = z.core.$ZodIssue;

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** `["locations", 0, "region", "startLine"]` -> `locations[0].region.startLine`, as a reader would write it. */
function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)),
    '',
  );
}

/** States what the field should have been, in the words of the format rather than of zod. */
function expectation(issue: Issue, input: unknown): string {
  const field = `"${fieldName(issue.path)}"`;
  const missing = valueAt(input, issue.path) === undefined ? ' (it is missing)' : '';
  if (issue.code === 'invalid_type')
    return `expected ${field} to be ${ARTICLE[issue.expected] ?? issue.expected}${missing}`;
  if (issue.code === 'too_small' && issue.origin === 'string') return `expected ${field} to be a non-empty string`;
  if (issue.code === 'too_small' && issue.origin === 'array')
    return `expected ${field} to have at least ${issue.minimum} item(s)`;
  return `unexpected value for ${field}: ${issue.message}`;
}

/**
 * Turns the first schema violation of a record into an IngestError whose pointer is the exact
 * field (record pointer + issue path), so a user can open the file at the right place.
 */
export function invalidRecord(
  details: { format: string; file: string; pointer: string; input: unknown },
  error: z.ZodError,
): IngestError {
  const issue = error.issues[0]!;
  const suffix = issue.path.map((key) => `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  return new IngestError({
    format: details.format,
    file: details.file,
    pointer: `${details.pointer}${suffix}`,
    message: expectation(issue, details.input),
    cause: error,
  });
}
