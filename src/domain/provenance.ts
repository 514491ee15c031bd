import { z } from 'zod';
import { DecidedBySchema } from './common.ts';

/** Who decided what, with which prompt, on which inputs and evidence: stored with every agent decision. */
export const ProvenanceSchema = z.object({
  agent: z.string().min(1),
  decidedBy: DecidedBySchema,
  promptVersion: z.string().min(1),
  inputIds: z.array(z.string()),
  /** Tool calls made, validation problems met, why a fallback happened. */
  evidence: z.array(z.string()),
  at: z.coerce.date(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;
