import type { z } from 'zod';
import { IngestError } from '../../domain/errors.ts';

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
};

function escapeKey(key: PropertyKey): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `["via", 0, "cvss", "score"]` -> `via[0].cvss.score`, the way a reader names a field. */
function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((name, key) => {
    if (typeof key === 'number') return `${name}[${key}]`;
    return name ? `${name}.${String(key)}` : String(key);
  }, '');
}

/** What the field should have held, in the report's terms rather than zod's. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const field = `"${fieldName(issue.path)}"`;
  if (issue.code === 'invalid_type') return `expected ${field} to be ${EXPECTED[issue.expected] ?? issue.expected}`;
  if (issue.code === 'too_small' && issue.origin === 'string') return `expected ${field} to be a non-empty string`;
  if (issue.code === 'invalid_union') return `expected ${field} to be a package name or an advisory object`;
  return `unexpected value for ${field}: ${issue.message}`;
}

/**
 * Parses one record with its schema or throws an IngestError whose pointer is the offending
 * field (record pointer + issue path), so the user can open the report at the right place.
 */
export function parseRecord<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: { format: string; file: string; pointer: string },
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  return fail(where, innermost(parsed.error.issues[0]!), parsed.error);
}

/**
 * A union failure (e.g. a `via` item that is neither a name nor a valid advisory) reports the
 * branch that got furthest, with the full path, instead of zod's generic "invalid input".
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const deepest = issue.errors
    .map((branch) => branch[0])
    .filter((inner): inner is z.core.$ZodIssue => inner !== undefined && inner.path.length > 0)
    .sort((a, b) => b.path.length - a.path.length)[0];
  return deepest ? innermost({ ...deepest, path: [...issue.path, ...deepest.path] }) : issue;
}

function fail(
  where: { format: string; file: string; pointer: string },
  issue: z.core.$ZodIssue,
  cause: unknown,
): never {
  const suffix = issue.path.map((key) => `/${escapeKey(key)}`).join('');
  throw new IngestError({
    format: where.format,
    file: where.file,
    pointer: `${where.pointer}${suffix}`,
    message: describeIssue(issue),
    cause,
  });
}
