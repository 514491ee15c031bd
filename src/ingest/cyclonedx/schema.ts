import { z } from 'zod';

/**
 * The parts of a CycloneDX 1.4-1.6 JSON BOM this parser reads. Objects are loose: BOMs carry
 * much more (licenses, hashes, properties) and producers add their own members; only what we
 * map is checked, so a valid BOM still ingests while a wrong type in a field we rely on fails
 * with its pointer.
 */

const SourceSchema = z.looseObject({ name: z.string().nullish(), url: z.string().nullish() });

/** One tool (1.4: `{vendor, name, version}`; 1.5+: a component or service with `name`). */
const ToolSchema = z.looseObject({ name: z.string().nullish(), version: z.string().nullish() });
/**
 * 1.4 lists tools in an array; 1.5+ groups them as `{components, services}`. The error text
 * completes "expected <field> to be ...", naming both forms the specification allows.
 */
export const ToolsSchema = z.union(
  [
    z.array(ToolSchema),
    z.looseObject({ components: z.array(ToolSchema).optional(), services: z.array(ToolSchema).optional() }),
  ],
  { error: 'an array of tools (CycloneDX 1.4) or an object with "components" and "services" (1.5+)' },
);
export type Tools = z.infer<typeof ToolsSchema>;

export const RatingSchema = z.looseObject({
  source: SourceSchema.nullish(),
  score: z.number().min(0).max(10).nullish(),
  severity: z.string().nullish(),
  method: z.string().nullish(),
  vector: z.string().nullish(),
});
export type Rating = z.infer<typeof RatingSchema>;

export const AnalysisSchema = z.looseObject({
  state: z.string().nullish(),
  justification: z.string().nullish(),
  response: z.array(z.string()).nullish(),
  detail: z.string().nullish(),
});
export type Analysis = z.infer<typeof AnalysisSchema>;

export const VulnerabilitySchema = z.looseObject({
  'bom-ref': z.string().nullish(),
  id: z.string().min(1),
  source: SourceSchema.nullish(),
  references: z.array(z.looseObject({ id: z.string().nullish(), source: SourceSchema.nullish() })).nullish(),
  ratings: z.array(RatingSchema).nullish(),
  cwes: z.array(z.number().int()).nullish(),
  description: z.string().nullish(),
  detail: z.string().nullish(),
  recommendation: z.string().nullish(),
  analysis: AnalysisSchema.nullish(),
  tools: ToolsSchema.nullish(),
  affects: z.array(z.looseObject({ ref: z.string().min(1) })).nullish(),
});
export type Vulnerability = z.infer<typeof VulnerabilitySchema>;

/** A component, reduced by the first pass to what a finding names; nested components are walked. */
export type ComponentInput = {
  'bom-ref'?: unknown;
  type?: unknown;
  group?: unknown;
  name?: unknown;
  version?: unknown;
  purl?: unknown;
  components?: unknown;
};

export const MetadataSchema = z.looseObject({
  tools: ToolsSchema.nullish(),
  component: z
    .looseObject({
      type: z.string().nullish(),
      name: z.string().nullish(),
      version: z.string().nullish(),
      purl: z.string().nullish(),
      'bom-ref': z.string().nullish(),
    })
    .nullish(),
});
export type Metadata = z.infer<typeof MetadataSchema>;
