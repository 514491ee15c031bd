import { z } from 'zod';

/**
 * The parts of a Prowler 3.x JSON check result that this parser reads. Objects are loose:
 * Prowler added members between minor versions (Compliance, Categories, Muted); only the
 * members we map are checked, so a newer report still ingests while a wrong type in a field we
 * rely on fails with its pointer.
 */

const text = z.string().nullish();

export const ProwlerV3ResultSchema = z.looseObject({
  CheckID: z.string().min(1),
  Status: z.string().min(1),
  Provider: text,
  CheckTitle: text,
  StatusExtended: text,
  Severity: text,
  Description: text,
  Risk: text,
  RelatedUrl: text,
  Remediation: z.looseObject({ Recommendation: z.looseObject({ Text: text, Url: text }).nullish() }).nullish(),
  AccountId: text,
  Region: text,
  ResourceId: text,
  ResourceArn: text,
  Muted: z.boolean().nullish(),
});
export type ProwlerV3Result = z.infer<typeof ProwlerV3ResultSchema>;
