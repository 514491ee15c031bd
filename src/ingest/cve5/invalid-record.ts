import type { z } from 'zod';
import { IngestError } from '../../domain/errors.ts';

type Issue = z.core.$ZodIssue;

const A: Record<string, string> = { string: 'a string', number: 'a number', array: 'an array', object: 'an object' };

function escapeKey(key: PropertyKey): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** What the field should have held, in the format's words ("affected[0].package.name"), not zod's. */
function expectation(issue: Issue): string {
  const field = issue.path.length
    ? `"${issue.path.reduce<string>((name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)), '')}"`
    : 'the record';
  if (issue.code === 'invalid_type') return `expected ${field} to be ${A[issue.expected] ?? issue.expected}`;
  if (issue.code === 'too_small' && issue.origin === 'string') return `expected ${field} to be a non-empty string`;
  if (issue.code === 'invalid_value')
    return `expected ${field} to be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'custom') return `${field}: ${issue.message}`;
  return `unexpected value for ${field}: ${issue.message}`;
}

/**
 * Turns the first schema violation of a record into an IngestError pointing at the exact field
 * (record pointer + issue path), so the reader can open the file at the right place.
 */
export function invalidRecord(
  where: { format: string; file: string; pointer: string },
  error: z.ZodError,
): IngestError {
  const issue = error.issues[0]!;
  return new IngestError({
    format: where.format,
    file: where.file,
    pointer: `${where.pointer}${issue.path.map((key) => `/${escapeKey(key)}`).join('')}`,
    message: expectation(issue),
    cause: error,
  });
}
