import { z } from 'zod';
import {
  CriticalitySchema,
  DataSensitivitySchema,
  EnvironmentSchema,
  InternetExposureSchema,
  SlugSchema,
} from './common.ts';

export const AssetKindSchema = z.enum([
  'host',
  'container_image',
  'repository',
  'cloud_resource',
  'identity',
  'saas_app',
  'ai_agent',
  'unclassified',
]);
export type AssetKind = z.infer<typeof AssetKindSchema>;

/** How scanner output is matched to an asset. */
export const AssetIdentifierKindSchema = z.enum([
  'hostname',
  'ip',
  'image',
  'image_digest',
  'repository_url',
  'arn',
  'resource_id',
  'account',
  'name',
]);
export type AssetIdentifierKind = z.infer<typeof AssetIdentifierKindSchema>;

export const AssetIdentifierSchema = z.object({
  kind: AssetIdentifierKindSchema,
  value: z.string().min(1).max(2000),
});
export type AssetIdentifier = z.infer<typeof AssetIdentifierSchema>;

/** An asset of the estate: what it is, where it runs, how much it matters, who owns it. */
export const AssetSchema = z.object({
  id: SlugSchema,
  name: z.string().min(1).max(500),
  kind: AssetKindSchema,
  environment: EnvironmentSchema.default('unknown'),
  criticality: CriticalitySchema.default('medium'),
  internetExposure: InternetExposureSchema.default('unknown'),
  dataSensitivity: DataSensitivitySchema.default('internal'),
  owner: z.string().min(1).nullish(),
  team: z.string().min(1).nullish(),
  network: z.string().min(1).nullish().describe('network segment the asset sits in'),
  tags: z.array(z.string().min(1)).default([]),
  identifiers: z.array(AssetIdentifierSchema).default([]),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type Asset = z.infer<typeof AssetSchema>;
