import type { z } from 'zod';
import type { FindingSchema } from '../../domain/finding.ts';
import type { ParsedRecord } from '../format.ts';

/**
 * What a mapper makes of one record: a finding, or the reason the record is deliberately not
 * one (a passed check, a result that states nothing to fix).
 */
export type FindingOutcome = { finding: z.input<typeof FindingSchema> } | { skip: string };

/** The pipeline record for an outcome: a skipped record still surfaces, as a warning at its pointer. */
export function outcomeRecord(pointer: string, outcome: FindingOutcome): ParsedRecord {
  if ('skip' in outcome) return { type: 'warning', pointer, message: outcome.skip };
  return { type: 'finding', pointer, value: outcome.finding };
}
