import { z } from 'zod';
import { CveIdSchema } from './common.ts';

/** One entry of the CISA Known Exploited Vulnerabilities catalog. */
export const KevEntrySchema = z.object({
  cveId: CveIdSchema,
  vendor: z.string().nullish(),
  product: z.string().nullish(),
  name: z.string().nullish(),
  dateAdded: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'),
  dueDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
    .nullish(),
  requiredAction: z.string().nullish(),
  ransomware: z.boolean().default(false),
  notes: z.string().nullish(),
  cwes: z.array(z.string()).default([]),
  catalogVersion: z.string().nullish(),
});
export type KevEntry = z.infer<typeof KevEntrySchema>;

/** One EPSS score: the probability of exploitation activity in the next 30 days. */
export const EpssScoreSchema = z.object({
  cveId: CveIdSchema,
  score: z.number().min(0).max(1),
  percentile: z.number().min(0).max(1),
  modelVersion: z.string().nullish(),
  scoreDate: z.string().nullish(),
});
export type EpssScore = z.infer<typeof EpssScoreSchema>;
