import { z } from 'zod';

/** Severity as scanners and advisories report it, normalized to one lower-case scale. */
export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low', 'info', 'unknown']);
export type Severity = z.infer<typeof SeveritySchema>;

export const EnvironmentSchema = z.enum(['production', 'staging', 'development', 'test', 'unknown']);
export type Environment = z.infer<typeof EnvironmentSchema>;

export const CriticalitySchema = z.enum(['crown_jewel', 'high', 'medium', 'low']);
export type Criticality = z.infer<typeof CriticalitySchema>;

export const InternetExposureSchema = z.enum(['internet', 'internal', 'isolated', 'unknown']);
export type InternetExposure = z.infer<typeof InternetExposureSchema>;

export const DataSensitivitySchema = z.enum(['restricted', 'confidential', 'internal', 'public']);
export type DataSensitivity = z.infer<typeof DataSensitivitySchema>;

/** Who made a decision: the deterministic engine or a named model. */
export const DecidedBySchema = z
  .string()
  .regex(/^(rules|llm:.+|user:.+)$/, 'expected rules, llm:<model> or user:<name>');
export type DecidedBy = z.infer<typeof DecidedBySchema>;

/** Identifier slugs used for assets, controls, plans: safe in URLs and logs. */
export const SlugSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'expected letters, digits and . _ : / @ -');

export const CveIdSchema = z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'expected a CVE id like CVE-2024-1234');
