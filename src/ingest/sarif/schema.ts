import { z } from 'zod';

/**
 * The parts of SARIF 2.1.0 this parser reads. Objects are loose: SARIF is a large standard and
 * producers add their own members; only what we map is checked, so an unusual but valid log
 * still ingests while a wrong type in a field we rely on fails with its pointer.
 */

const PropertyBagSchema = z.record(z.string(), z.unknown());

/** `message` and the multiformat strings of rules (3.11, 3.12). */
export const SarifMessageSchema = z.looseObject({
  text: z.string().optional(),
  markdown: z.string().optional(),
  id: z.string().optional(),
  arguments: z.array(z.unknown()).optional(),
});
export type SarifMessage = z.infer<typeof SarifMessageSchema>;

const MessageStringsSchema = z.record(z.string(), SarifMessageSchema);

export const SarifRuleSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  shortDescription: SarifMessageSchema.optional(),
  fullDescription: SarifMessageSchema.optional(),
  help: SarifMessageSchema.optional(),
  helpUri: z.string().optional(),
  messageStrings: MessageStringsSchema.optional(),
  defaultConfiguration: z.looseObject({ level: z.string().optional() }).optional(),
  relationships: z
    .array(
      z.looseObject({
        target: z.looseObject({
          id: z.string().optional(),
          toolComponent: z.looseObject({ name: z.string().optional() }).optional(),
        }),
      }),
    )
    .optional(),
  properties: PropertyBagSchema.optional(),
});
export type SarifRule = z.infer<typeof SarifRuleSchema>;

const ToolComponentSchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().optional(),
  semanticVersion: z.string().optional(),
  rules: z.array(SarifRuleSchema).optional(),
  globalMessageStrings: MessageStringsSchema.optional(),
});

export const SarifToolSchema = z.looseObject({
  driver: ToolComponentSchema,
  extensions: z.array(ToolComponentSchema.partial({ name: true })).optional(),
});
export type SarifTool = z.infer<typeof SarifToolSchema>;

export const SarifArtifactSchema = z.looseObject({
  location: z.looseObject({ uri: z.string().optional() }).optional(),
  properties: PropertyBagSchema.optional(),
});
export type SarifArtifact = z.infer<typeof SarifArtifactSchema>;

export const SarifVersionControlSchema = z.looseObject({ repositoryUri: z.string().optional() });

export const SarifRunPropertiesSchema = PropertyBagSchema;

const LocationSchema = z.looseObject({
  physicalLocation: z
    .looseObject({
      artifactLocation: z
        .looseObject({ uri: z.string().optional(), index: z.number().int().min(0).optional() })
        .optional(),
      region: z.looseObject({ startLine: z.number().int().optional() }).optional(),
    })
    .optional(),
  logicalLocations: z
    .array(z.looseObject({ fullyQualifiedName: z.string().optional(), name: z.string().optional() }))
    .optional(),
});

export const SarifResultSchema = z.looseObject({
  ruleId: z.string().optional(),
  ruleIndex: z.number().int().optional(),
  rule: z
    .looseObject({
      id: z.string().optional(),
      index: z.number().int().optional(),
      toolComponent: z.looseObject({ index: z.number().int().optional(), name: z.string().optional() }).optional(),
    })
    .optional(),
  kind: z.string().optional(),
  level: z.string().optional(),
  message: SarifMessageSchema.optional(),
  locations: z.array(LocationSchema).optional(),
  suppressions: z
    .array(
      z.looseObject({
        kind: z.string().optional(),
        status: z.string().optional(),
        state: z.string().optional(),
        justification: z.string().optional(),
      }),
    )
    .optional(),
  baselineState: z.string().optional(),
  taxa: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        toolComponent: z.looseObject({ name: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  properties: PropertyBagSchema.optional(),
});
export type SarifResult = z.infer<typeof SarifResultSchema>;
