import { z } from 'zod';
import { EnvironmentSchema, SlugSchema } from './common.ts';

export const ControlKindSchema = z.enum([
  'waf',
  'edr',
  'firewall',
  'segmentation',
  'iam_boundary',
  'runtime_protection',
  'config_mitigation',
  'detection_rule',
]);
export type ControlKind = z.infer<typeof ControlKindSchema>;

/** Which assets a control protects; an asset is in scope when any selector matches. */
export const ControlScopeSchema = z.object({
  assetIds: z.array(z.string().min(1)).default([]),
  tags: z.array(z.string().min(1)).default([]),
  environments: z.array(EnvironmentSchema).default([]),
  networks: z.array(z.string().min(1)).default([]),
});
export type ControlScope = z.infer<typeof ControlScopeSchema>;

export const ControlRuleSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  /** CVE ids a virtual patch names: such a rule gives full coverage for that CVE. */
  cves: z.array(z.string()).default([]),
  /** CWE ids (e.g. CWE-89) the rule counters. */
  cwes: z.array(z.string()).default([]),
  capabilities: z.array(z.string()).default([]),
  enabled: z.boolean().default(true),
});
export type ControlRule = z.infer<typeof ControlRuleSchema>;

/** A security control (WAF, EDR, firewall, ...) that may already cover an exposure. */
export const ControlSchema = z.object({
  id: SlugSchema,
  name: z.string().min(1),
  kind: ControlKindSchema,
  product: z.string().nullish(),
  mode: z.enum(['block', 'detect']),
  scope: ControlScopeSchema.default({ assetIds: [], tags: [], environments: [], networks: [] }),
  capabilities: z.array(z.string().min(1)).default([]),
  rules: z.array(ControlRuleSchema).default([]),
  enabled: z.boolean().default(true),
  lastVerifiedAt: z.coerce.date().nullish(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type Control = z.infer<typeof ControlSchema>;
