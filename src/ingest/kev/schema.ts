import { z } from 'zod';

/**
 * One entry of the CISA KEV catalog as published (known_exploited_vulnerabilities.json, schema
 * in cisagov/kev-data). `cveID` and `dateAdded` are what makes an entry; the rest is context.
 */
export const KevCatalogEntrySchema = z.looseObject({
  cveID: z.string().regex(/^CVE-\d{4}-\d{4,}$/i, 'expected a CVE id like CVE-2024-1234'),
  vendorProject: z.string().nullish(),
  product: z.string().nullish(),
  vulnerabilityName: z.string().nullish(),
  dateAdded: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'),
  shortDescription: z.string().nullish(),
  requiredAction: z.string().nullish(),
  dueDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
    .nullish(),
  knownRansomwareCampaignUse: z.string().nullish(),
  notes: z.string().nullish(),
  cwes: z.array(z.string()).nullish(),
});
export type KevCatalogEntry = z.infer<typeof KevCatalogEntrySchema>;
