import { z } from 'zod';

/*
 * The parts of Trivy's JSON records (pkg/types in aquasecurity/trivy) that we map. Each error
 * text completes "expected <field> to be ...", so a malformed record names what was expected.
 * Unknown fields are ignored: the mappers keep the original record as `raw`.
 */

const text = z.string({ error: 'a string' });
const nonEmptyText = z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' });
const texts = z.array(text, { error: 'an array of strings' });
const score = z.number({ error: 'a number' });
const lineNumber = z.number({ error: 'an integer' }).int({ error: 'an integer' });

/** One source's scores in `CVSS` (keys: nvd, redhat, ghsa, ...). */
export const TrivyCvssEntrySchema = z.object(
  {
    V2Vector: text.nullish(),
    V2Score: score.nullish(),
    V3Vector: text.nullish(),
    V3Score: score.nullish(),
    V40Vector: text.nullish(),
    V40Score: score.nullish(),
  },
  { error: 'an object' },
);
export type TrivyCvssEntry = z.infer<typeof TrivyCvssEntrySchema>;

/** `Results[].Vulnerabilities[]` (DetectedVulnerability). */
export const TrivyVulnerabilitySchema = z.object(
  {
    VulnerabilityID: nonEmptyText,
    VendorIDs: texts.nullish(),
    PkgName: nonEmptyText,
    PkgPath: text.nullish(),
    PkgIdentifier: z.object({ PURL: text.nullish() }, { error: 'an object' }).nullish(),
    /** Older reports put the package URL here. */
    Ref: text.nullish(),
    InstalledVersion: text.nullish(),
    FixedVersion: text.nullish(),
    Status: text.nullish(),
    SeveritySource: text.nullish(),
    DataSource: z.object({ ID: text.nullish(), Name: text.nullish() }, { error: 'an object' }).nullish(),
    Title: text.nullish(),
    Description: text.nullish(),
    Severity: text.nullish(),
    CweIDs: texts.nullish(),
    CVSS: z.record(z.string(), TrivyCvssEntrySchema, { error: 'an object keyed by source' }).nullish(),
  },
  { error: 'an object' },
);
export type TrivyVulnerability = z.infer<typeof TrivyVulnerabilitySchema>;

/** `Results[].Misconfigurations[]` (DetectedMisconfiguration). */
export const TrivyMisconfigurationSchema = z
  .object(
    {
      ID: text.nullish(),
      AVDID: text.nullish(),
      Title: text.nullish(),
      Description: text.nullish(),
      Message: text.nullish(),
      Resolution: text.nullish(),
      Severity: text.nullish(),
      Status: text.nullish(),
      CauseMetadata: z
        .object(
          {
            Resource: text.nullish(),
            StartLine: lineNumber.nullish(),
          },
          { error: 'an object' },
        )
        .nullish(),
    },
    { error: 'an object' },
  )
  .refine((record) => Boolean(record.ID || record.AVDID), {
    path: ['ID'],
    error: 'a non-empty string (or "AVDID" to be one)',
  });
export type TrivyMisconfiguration = z.infer<typeof TrivyMisconfigurationSchema>;

/** `Results[].Secrets[]` (SecretFinding). `Match` and `Code` hold the secret and are never mapped. */
export const TrivySecretSchema = z.object(
  {
    RuleID: nonEmptyText,
    Category: text.nullish(),
    Severity: text.nullish(),
    Title: text.nullish(),
    StartLine: lineNumber.nullish(),
  },
  { error: 'an object' },
);
export type TrivySecret = z.infer<typeof TrivySecretSchema>;

/** `Results[].Licenses[]` (DetectedLicense): only named in the warning that skips it. */
export const TrivyLicenseSchema = z.object(
  { Name: text.nullish(), PkgName: text.nullish(), FilePath: text.nullish() },
  { error: 'an object' },
);

/** `Results[].ExperimentalModifiedFindings[]`: a finding suppressed by .trivyignore or VEX. */
export const TrivyModifiedFindingSchema = z.object(
  {
    Type: nonEmptyText,
    Status: text.nullish(),
    Statement: text.nullish(),
    Source: text.nullish(),
    Finding: z.unknown(),
  },
  { error: 'an object' },
);
export type TrivyModifiedFinding = z.infer<typeof TrivyModifiedFindingSchema>;
