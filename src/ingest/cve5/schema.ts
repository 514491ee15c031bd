import { z } from 'zod';

/**
 * The parts of a CVE JSON 5.x record (CVE Services, cvelistV5) this parser reads. Objects are
 * loose: CNAs add `x_` members and fields we do not map; only what we use is type-checked.
 */

const StatusSchema = z.enum(['affected', 'unaffected', 'unknown']);

const VersionSchema = z.looseObject({
  version: z.string(),
  status: StatusSchema,
  versionType: z.string().optional(),
  lessThan: z.string().optional(),
  lessThanOrEqual: z.string().optional(),
  changes: z.array(z.looseObject({ at: z.string(), status: StatusSchema })).optional(),
});
export type Cve5Version = z.infer<typeof VersionSchema>;

const AffectedSchema = z.looseObject({
  vendor: z.string().optional(),
  product: z.string().optional(),
  collectionURL: z.string().optional(),
  packageName: z.string().optional(),
  defaultStatus: StatusSchema.optional(),
  versions: z.array(VersionSchema).optional(),
});
export type Cve5Affected = z.infer<typeof AffectedSchema>;

const CvssSchema = z.looseObject({
  vectorString: z.string().optional(),
  baseScore: z.number().optional(),
  baseSeverity: z.string().optional(),
});
export type Cve5Cvss = z.infer<typeof CvssSchema>;

const MetricSchema = z.looseObject({
  cvssV4_0: CvssSchema.optional(),
  cvssV3_1: CvssSchema.optional(),
  cvssV3_0: CvssSchema.optional(),
  cvssV2_0: CvssSchema.optional(),
  other: z.looseObject({ type: z.string(), content: z.unknown() }).optional(),
});
export type Cve5Metric = z.infer<typeof MetricSchema>;

const DescriptionSchema = z.looseObject({ lang: z.string(), value: z.string() });

/** The CNA container and each ADP container (CISA Vulnrichment, CVE Program) share this shape. */
const ContainerSchema = z.looseObject({
  title: z.string().optional(),
  descriptions: z.array(DescriptionSchema).optional(),
  rejectedReasons: z.array(DescriptionSchema).optional(),
  affected: z.array(AffectedSchema).optional(),
  metrics: z.array(MetricSchema).optional(),
  problemTypes: z
    .array(
      z.looseObject({
        descriptions: z.array(z.looseObject({ cweId: z.string().optional(), description: z.string().optional() })),
      }),
    )
    .optional(),
  references: z.array(z.looseObject({ url: z.string(), tags: z.array(z.string()).optional() })).optional(),
  /** The GitHub CNA names its advisory here (`"advisory": "GHSA-..."`). */
  source: z.looseObject({ advisory: z.string().optional() }).optional(),
});
export type Cve5Container = z.infer<typeof ContainerSchema>;

export const Cve5RecordSchema = z.looseObject({
  dataType: z.literal('CVE_RECORD'),
  dataVersion: z.string().regex(/^5(\.\d+)*$/, 'expected a CVE JSON 5.x version such as "5.1"'),
  cveMetadata: z.looseObject({
    cveId: z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'expected a CVE id like CVE-2024-1234'),
    state: z.enum(['PUBLISHED', 'REJECTED']),
    datePublished: z.string().optional(),
    dateUpdated: z.string().optional(),
    dateRejected: z.string().optional(),
  }),
  containers: z.looseObject({ cna: ContainerSchema, adp: z.array(ContainerSchema).optional() }),
});
export type Cve5Record = z.infer<typeof Cve5RecordSchema>;
