import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ServiceError } from '../../src/domain/errors.ts';
import type { EvalCase, SuiteSpec } from './suite.ts';

/** Bounds that keep a mistaken --dataset (a log file, a dump) from being read into memory whole. */
export type DatasetLimits = { maxBytes: number; maxLines: number; maxLineBytes: number };
export const DEFAULT_DATASET_LIMITS: DatasetLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxLines: 10_000,
  maxLineBytes: 1024 * 1024,
};

/** One problem in a dataset: where (line, field) and what. Line 0 is the file as a whole. */
export type DatasetProblem = { line: number; field: string; message: string };

/** How many problems one error lists; the rest are counted. */
const MAX_PROBLEMS = 20;

/** A dataset file cannot be used: every problem names the file, the line and the field. */
export class DatasetError extends ServiceError {
  readonly file: string;
  readonly problems: DatasetProblem[];
  constructor(file: string, problems: DatasetProblem[], more = 0) {
    const lines = problems.map(
      (p) => `${file}${p.line > 0 ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`,
    );
    if (more > 0) lines.push(`... and ${more} more problem${more === 1 ? '' : 's'}`);
    super('DATASET_INVALID', lines.join('\n'), { status: 400 });
    this.file = file;
    this.problems = problems;
  }
}

/** The envelope of every line; `input` and `expected` are checked against the suite's own schemas. */
const CaseLineSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'expected letters, digits and . _ : / @ -'),
  // Checked (and reported when missing) by the suite's own schemas.
  input: z.unknown().optional(),
  expected: z.unknown().optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).default([]),
});

/** Reads and validates a JSON Lines dataset for a suite. Blank lines are allowed; everything else is a case. */
export function loadDataset<I extends z.ZodType, E extends z.ZodType>(
  suite: SuiteSpec<I, E>,
  file: string,
  limits: DatasetLimits = DEFAULT_DATASET_LIMITS,
): EvalCase<z.infer<I>, z.infer<E>>[] {
  const shown = displayPath(file);
  let size: number;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new DatasetError(shown, [{ line: 0, field: '', message: 'not a file' }]);
    size = stat.size;
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DatasetError(shown, [{ line: 0, field: '', message: `cannot read the dataset (${reason})` }]);
  }
  if (size > limits.maxBytes) {
    throw new DatasetError(shown, [
      { line: 0, field: '', message: `the file has ${size} bytes, more than the limit of ${limits.maxBytes}` },
    ]);
  }
  return parseDataset(suite, fs.readFileSync(file, 'utf8'), shown, limits);
}

/** Validates dataset text; `file` is the name errors use. */
export function parseDataset<I extends z.ZodType, E extends z.ZodType>(
  suite: SuiteSpec<I, E>,
  text: string,
  file: string,
  limits: DatasetLimits = DEFAULT_DATASET_LIMITS,
): EvalCase<z.infer<I>, z.infer<E>>[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length > limits.maxLines) {
    throw new DatasetError(file, [
      { line: 0, field: '', message: `the file has ${lines.length} lines, more than the limit of ${limits.maxLines}` },
    ]);
  }
  const problems: DatasetProblem[] = [];
  const cases: EvalCase<z.infer<I>, z.infer<E>>[] = [];
  const firstLineOf = new Map<string, number>();

  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') return;
    if (Buffer.byteLength(text) > limits.maxLineBytes) {
      problems.push({ line, field: '', message: `the line is longer than the limit of ${limits.maxLineBytes} bytes` });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      problems.push({ line, field: '', message: `not valid JSON (${(error as Error).message})` });
      return;
    }
    const envelope = CaseLineSchema.safeParse(json);
    if (!envelope.success) problems.push(...issuesAt(line, '', envelope.error));
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return;
    // The suite's schemas run even when the envelope is wrong, so one pass reports every problem.
    const record = json as { input?: unknown; expected?: unknown };
    const input = suite.input.safeParse(record.input);
    const expected = suite.expected.safeParse(record.expected);
    if (!input.success) problems.push(...issuesAt(line, 'input', input.error));
    if (!expected.success) problems.push(...issuesAt(line, 'expected', expected.error));
    if (!envelope.success) return;
    const { id, tags } = envelope.data;
    const earlier = firstLineOf.get(id);
    if (earlier !== undefined) {
      problems.push({ line, field: 'id', message: `duplicate id "${id}" (first on line ${earlier})` });
    } else {
      firstLineOf.set(id, line);
    }
    if (input.success && expected.success) {
      cases.push({ id, tags: [...new Set(tags)], input: input.data, expected: expected.data });
    }
  });

  if (problems.length > 0) {
    throw new DatasetError(file, problems.slice(0, MAX_PROBLEMS), Math.max(0, problems.length - MAX_PROBLEMS));
  }
  if (cases.length === 0) throw new DatasetError(file, [{ line: 0, field: '', message: 'the dataset has no cases' }]);
  return cases;
}

function issuesAt(line: number, prefix: string, error: z.ZodError): DatasetProblem[] {
  return error.issues.map((issue) => {
    const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { line, field: field || '(case)', message: issue.message };
  });
}

/** Relative to the working directory when inside it, so messages stay short and clickable. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
