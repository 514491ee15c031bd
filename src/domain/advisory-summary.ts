import { z } from 'zod';
import { CveIdSchema } from './common.ts';

/**
 * The plain-English summary of one advisory, as the summarizer agent produces it (either back-end).
 * Every version, package and CVE id in it must come from the advisory data: the summarizer's
 * validator checks that mechanically, because the schema alone cannot.
 */
export const AdvisorySummarySchema = z.object({
  advisoryId: z.string().min(1).describe('the id of the advisory summarized, exactly as given'),
  headline: z.string().min(1).max(200).describe('one line, at most 200 characters'),
  affected: z
    .array(
      z.object({
        ecosystem: z.string().min(1).describe('as in the advisory data, e.g. npm, PyPI, Maven'),
        package: z.string().min(1).describe('as in the advisory data'),
        vulnerableRanges: z
          .array(z.string())
          .describe('human form from the range events, e.g. ">= 4.0.0 < 4.17.21", "< 2.3.1", "<= 2.3.1"'),
        fixedVersions: z.array(z.string()).describe("only versions from this package's fixed list in the data"),
      }),
    )
    .describe('one entry per affected package of the advisory'),
  exploitation: z.object({
    kev: z.boolean().describe('true only when the data has a CISA KEV entry'),
    kevDateAdded: z.string().nullable(),
    ransomware: z.boolean().nullable().describe('KEV known ransomware use; null when not in KEV'),
    epss: z.number().min(0).max(1).nullable(),
    epssPercentile: z.number().min(0).max(1).nullable(),
    summary: z.string().describe('one sentence on exploitation status from KEV and EPSS'),
  }),
  cveIds: z.array(CveIdSchema).describe('the CVE ids among the advisory id and its aliases'),
  recommendedAction: z.string().describe('what to do: the smallest fixed version per package, or mitigate/accept'),
  text: z.string().max(4000).describe('the plain-English summary paragraph, 2-5 sentences'),
});
export type AdvisorySummary = z.infer<typeof AdvisorySummarySchema>;
