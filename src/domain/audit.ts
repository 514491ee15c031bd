import { z } from 'zod';

/** One entry of the append-only, hash-chained audit log. */
export const AuditEntrySchema = z.object({
  actor: z.string().min(1),
  action: z.string().min(1),
  subjectType: z.string().min(1),
  subjectId: z.string().min(1),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
