import type { z } from 'zod';
import { IngestError } from '../../domain/errors.ts';

/** Where a record sits: every IngestError names the format, the file and the JSON pointer. */
export type RecordSite = { format: string; file: string; pointer: string };

/**
 * Validates one streamed record against its schema. The schemas' error texts complete
 * "expected <field> to be ...", so a failure reads e.g.
 * `expected "VulnerabilityID" to be a non-empty string` at the record's pointer.
 */
export function readRecord<S extends z.ZodType>(schema: S, value: unknown, site: RecordSite): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length ? `"${issue.path.join('.')}"` : 'the record';
  throw new IngestError({ ...site, message: `expected ${field} to be ${issue.message}` });
}
