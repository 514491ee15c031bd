import { z } from 'zod';

/**
 * The parts of an AWS Security Finding Format (ASFF) record this parser reads. Objects are
 * loose: every product (Security Hub controls, Inspector, GuardDuty, Prowler, partners) adds
 * its own members; only what we map is checked, so an unusual but valid finding still ingests
 * while a wrong type in a field we rely on fails with its pointer.
 */

const text = z.string().nullish();
/** Inspector writes scores both as numbers and as strings ("7.5"). */
const numberish = z.union([z.number(), z.string()]).nullish();

export const AsffPackageSchema = z.looseObject({
  Name: text,
  Version: text,
  Epoch: text,
  Release: text,
  PackageManager: text,
  FixedInVersion: text,
  Remediation: text,
  FilePath: text,
});
export type AsffPackage = z.infer<typeof AsffPackageSchema>;

export const AsffCvssSchema = z.looseObject({ Version: text, BaseScore: numberish, BaseVector: text, Source: text });
export type AsffCvss = z.infer<typeof AsffCvssSchema>;

export const AsffVulnerabilitySchema = z.looseObject({
  Id: z.string().min(1),
  VulnerablePackages: z.array(AsffPackageSchema).nullish(),
  Cvss: z.array(AsffCvssSchema).nullish(),
  RelatedVulnerabilities: z.array(z.string()).nullish(),
  Vendor: z.looseObject({ Name: text, Url: text, VendorSeverity: text }).nullish(),
  ReferenceUrls: z.array(z.string()).nullish(),
  FixAvailable: text,
});
export type AsffVulnerability = z.infer<typeof AsffVulnerabilitySchema>;

export const AsffResourceSchema = z.looseObject({
  Type: z.string().min(1),
  Id: z.string().min(1),
  Region: text,
  Details: z
    .looseObject({
      AwsEcrContainerImage: z.looseObject({ ImageDigest: text, RepositoryName: text }).nullish(),
    })
    .nullish(),
});
export type AsffResource = z.infer<typeof AsffResourceSchema>;

export const AsffFindingSchema = z.looseObject({
  Id: z.string().min(1),
  ProductArn: text,
  ProductName: text,
  CompanyName: text,
  GeneratorId: z.string().min(1),
  AwsAccountId: text,
  Types: z.array(z.string()).nullish(),
  Title: z.string().min(1),
  Description: text,
  Severity: z.looseObject({ Label: text, Normalized: z.number().nullish() }).nullish(),
  FindingProviderFields: z.looseObject({ Severity: z.looseObject({ Label: text }).nullish() }).nullish(),
  Remediation: z.looseObject({ Recommendation: z.looseObject({ Text: text, Url: text }).nullish() }).nullish(),
  ProductFields: z.record(z.string(), z.unknown()).nullish(),
  Resources: z.array(AsffResourceSchema).min(1),
  Compliance: z.looseObject({ Status: text, SecurityControlId: text }).nullish(),
  Workflow: z.looseObject({ Status: text }).nullish(),
  WorkflowState: text,
  RecordState: text,
  Note: z.looseObject({ Text: text }).nullish(),
  Vulnerabilities: z.array(AsffVulnerabilitySchema).nullish(),
});
export type AsffFinding = z.infer<typeof AsffFindingSchema>;
