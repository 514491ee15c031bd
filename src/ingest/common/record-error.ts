import { z } from 'zod';
import { IngestError } from '../../domain/errors.ts';
import { escapePointer } from './json-stream.ts';

/** Where a record sits: every IngestError names the format, the file and the record's JSON pointer. */
export type RecordSite = { format: string; file: string; pointer: string };

type Issue = z.core.$ZodIssue;

/** zod's type names in the words a report's reader uses. */
const KIND: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

/** `["locations", 0, "region", "startLine"]` -> `locations[0].region.startLine`, the way a reader names a field. */
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

/** "a string", "a string or a number", "a string, a number or an array". */
function either(kinds: string[]): string {
  return kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}` : (kinds[0] ?? '');
}

/**
 * A union failure (e.g. CycloneDX `metadata.tools` that is neither a 1.4 array nor a 1.5 object)
 * reports the branch that got furthest, with the full path, instead of zod's generic "invalid input".
 */
function innermost(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  const deepest = issue.errors
    .map((branch) => branch[0])
    .filter((inner): inner is Issue => inner !== undefined && inner.path.length > 0)
    .sort((a, b) => b.path.length - a.path.length)[0];
  return deepest ? innermost({ ...deepest, path: [...issue.path, ...deepest.path] }) : issue;
}

/**
 * A schema may name what a union accepts in the format's words (`z.union([...], { error: 'a
 * package name or an advisory object' })`); zod gives no flag for that, so a message that differs
 * from the one zod's locale would have written is the schema's own.
 */
function authoredMessage(issue: Issue): string | undefined {
  const fallback = z.config().localeError?.(issue as z.core.$ZodRawIssue);
  const zodText = typeof fallback === 'string' ? fallback : fallback?.message;
  return issue.message !== zodText ? issue.message : undefined;
}

/** What a union field should have held: the schema's words, else the kinds its branches accept. */
function unionExpectation(issue: z.core.$ZodIssueInvalidUnion): string | undefined {
  const authored = authoredMessage(issue);
  if (authored) return authored;
  const branches = issue.errors.map((branch) => branch[0]);
  if (!branches.every((inner) => inner?.code === 'invalid_type' && inner.path.length === 0)) return undefined;
  const kinds = branches.map((inner) =>
    inner?.code === 'invalid_type' ? (KIND[inner.expected] ?? inner.expected) : '',
  );
  return either([...new Set(kinds)]);
}

/**
 * What the field should have held, in the format's words ("affected[0].package.name") rather than
 * zod's. `(it is missing)` tells an absent field from a wrong one when the record is known.
 */
function expectation(issue: Issue, input: unknown): string {
  const field = issue.path.length ? `"${fieldName(issue.path)}"` : 'the record';
  switch (issue.code) {
    case 'invalid_type': {
      const missing =
        input !== undefined && issue.path.length && valueAt(input, issue.path) === undefined ? ' (it is missing)' : '';
      return `expected ${field} to be ${KIND[issue.expected] ?? issue.expected}${missing}`;
    }
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return `expected ${field} to be a non-empty string`;
      if (issue.origin === 'array') return `expected ${field} to have at least ${issue.minimum} item(s)`;
      break;
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value));
      return `expected ${field} to be ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}`;
    }
    case 'invalid_union': {
      const expected = unionExpectation(issue);
      if (expected) return `expected ${field} to be ${expected}`;
      break;
    }
    case 'custom':
      return `${field}: ${issue.message}`;
  }
  return `unexpected value for ${field}: ${issue.message}`;
}

/**
 * Turns the first schema violation of a record into an IngestError whose pointer is the exact
 * field (record pointer + issue path), so the user can open the file at the right place. Pass the
 * record as `input` so that a missing field reads "(it is missing)" rather than just "wrong".
 */
export function invalidRecord(where: RecordSite, error: z.ZodError, input?: unknown): IngestError {
  const issue = innermost(error.issues[0]!);
  return new IngestError({
    format: where.format,
    file: where.file,
    pointer: `${where.pointer}${issue.path.map((key) => `/${escapePointer(key)}`).join('')}`,
    message: expectation(issue, input),
    cause: error,
  });
}

/** Parses one record with its schema, or throws the IngestError of {@link invalidRecord}. */
export function parseRecord<T extends z.ZodType>(schema: T, value: unknown, where: RecordSite): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalidRecord(where, parsed.error, value);
}
