import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type ControlKind, ControlKindSchema } from '../../domain/control.ts';
import { ConfigError } from '../../domain/errors.ts';
import { type FindingKind, FindingKindSchema } from '../../domain/finding.ts';

const DEFAULT_FILE = new URL('./knowledge-base.yaml', import.meta.url);

const CweIdSchema = z.string().regex(/^CWE-\d+$/, 'expected a CWE id like CWE-89');
const NameSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case name');

export const AttackVectorSchema = z.enum(['network', 'adjacent', 'local', 'physical']);
export type AttackVector = z.infer<typeof AttackVectorSchema>;

const MappingSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a kebab-case id'),
  countermeasure: z.string().min(1),
  controlKinds: z.array(ControlKindSchema).min(1),
  modes: z.array(z.enum(['block', 'detect'])).min(1),
  match: z.enum(['cve', 'weakness', 'reachability']),
  classes: z.array(NameSchema).default([]),
  capabilities: z.array(NameSchema).default([]),
  vectors: z.array(AttackVectorSchema).optional(),
  exposureKinds: z.array(FindingKindSchema).optional(),
  coverage: z.enum(['full', 'partial', 'none']),
  reachability: z.enum(['unchanged', 'controlled']),
  label: z.string().min(1),
  reason: z.string().min(1),
});

/** The YAML file as written; `parseKnowledgeBase` checks its cross-references on top. */
export const KnowledgeBaseFileSchema = z.object({
  version: z.number().int().positive(),
  weaknessClasses: z.record(NameSchema, z.object({ title: z.string().min(1), cwes: z.array(CweIdSchema) })),
  exposureKindClasses: z.partialRecord(FindingKindSchema, z.array(NameSchema)),
  capabilities: z.record(
    NameSchema,
    z.object({
      description: z.string().min(1),
      cwes: z.array(CweIdSchema).optional(),
      classes: z.array(NameSchema).optional(),
    }),
  ),
  kindCapabilities: z.partialRecord(ControlKindSchema, z.array(NameSchema)),
  mappings: z.array(MappingSchema).min(1),
});
export type KnowledgeBaseFile = z.infer<typeof KnowledgeBaseFileSchema>;
type MappingFile = z.infer<typeof MappingSchema>;

/** A capability with what it counters; both limits null means it is not tied to a weakness. */
export type CompiledCapability = {
  name: string;
  description: string;
  cwes: ReadonlySet<string> | null;
  classes: ReadonlySet<string> | null;
};

/** A mapping with its lists turned into sets, so matching does no parsing or scanning per call. */
export type CompiledMapping = Omit<MappingFile, 'controlKinds' | 'modes' | 'classes' | 'vectors' | 'exposureKinds'> & {
  controlKinds: ReadonlySet<ControlKind>;
  modes: ReadonlySet<'block' | 'detect'>;
  classes: ReadonlySet<string>;
  vectors: ReadonlySet<AttackVector> | null;
  exposureKinds: ReadonlySet<FindingKind> | null;
};

/** The knowledge base, validated and indexed once for the hot path of `assessCoverage`. */
export type KnowledgeBase = {
  version: number;
  source: string;
  weaknessClasses: Readonly<Record<string, { title: string; cwes: string[] }>>;
  classesByCwe: ReadonlyMap<string, readonly string[]>;
  exposureKindClasses: ReadonlyMap<FindingKind, readonly string[]>;
  capabilities: ReadonlyMap<string, CompiledCapability>;
  kindCapabilities: ReadonlyMap<ControlKind, readonly string[]>;
  mappings: readonly CompiledMapping[];
  mappingsById: ReadonlyMap<string, CompiledMapping>;
};

let cached: KnowledgeBase | undefined;

/** The shipped knowledge base, read and compiled on first use and kept for the process. */
export function defaultKnowledgeBase(): KnowledgeBase {
  cached ??= parseKnowledgeBase(readFileSync(DEFAULT_FILE, 'utf8'), 'src/prioritize/controls/knowledge-base.yaml');
  return cached;
}

/**
 * Validates and compiles knowledge-base YAML. A wrong file is our own configuration fault, so
 * it throws `ConfigError` naming the file, the field path and what was expected, including
 * references to undefined classes or capabilities, which the schema alone cannot see.
 */
export function parseKnowledgeBase(text: string, source: string): KnowledgeBase {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, 'not valid YAML', error);
  }
  const parsed = KnowledgeBaseFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(source, `${issue.path.join('.') || '(root)'}: ${issue.message}`, parsed.error);
  }
  const file = parsed.data;
  checkReferences(file, source);
  return compile(file, source);
}

function checkReferences(file: KnowledgeBaseFile, source: string): void {
  const fail = (where: string, message: string): never => {
    throw new ConfigError(source, `${where}: ${message}`);
  };
  const isClass = (name: string) => Object.hasOwn(file.weaknessClasses, name);
  const isCapability = (name: string) => Object.hasOwn(file.capabilities, name);
  for (const [kind, classes] of Object.entries(file.exposureKindClasses)) {
    for (const name of classes ?? []) if (!isClass(name)) fail(`exposureKindClasses.${kind}`, `unknown class ${name}`);
  }
  for (const [name, capability] of Object.entries(file.capabilities)) {
    for (const cls of capability.classes ?? []) {
      if (!isClass(cls)) fail(`capabilities.${name}.classes`, `unknown class ${cls}`);
    }
  }
  for (const [kind, capabilities] of Object.entries(file.kindCapabilities)) {
    for (const name of capabilities ?? []) {
      if (!isCapability(name)) fail(`kindCapabilities.${kind}`, `unknown capability ${name}`);
    }
  }
  const seen = new Set<string>();
  file.mappings.forEach((mapping, index) => {
    const where = `mappings.${index} (${mapping.id})`;
    if (seen.has(mapping.id)) fail(where, 'duplicate mapping id');
    seen.add(mapping.id);
    for (const name of mapping.classes) if (!isClass(name)) fail(`${where}.classes`, `unknown class ${name}`);
    for (const name of mapping.capabilities) {
      if (!isCapability(name)) fail(`${where}.capabilities`, `unknown capability ${name}`);
    }
    if (mapping.match === 'weakness' && (mapping.classes.length === 0 || mapping.capabilities.length === 0)) {
      fail(where, 'a weakness mapping needs classes and capabilities');
    }
    if (mapping.match === 'reachability' && mapping.capabilities.length === 0) {
      fail(where, 'a reachability mapping needs capabilities');
    }
    if (mapping.match === 'reachability' && mapping.coverage !== 'none') {
      fail(where, 'a reachability mapping does not counter the flaw: coverage must be none');
    }
    if (mapping.coverage === 'none' && mapping.reachability === 'unchanged') {
      fail(where, 'a mapping with coverage none must change reachability, or it has no effect');
    }
  });
}

function compile(file: KnowledgeBaseFile, source: string): KnowledgeBase {
  const classesByCwe = new Map<string, string[]>();
  for (const [name, cls] of Object.entries(file.weaknessClasses)) {
    for (const cwe of cls.cwes) {
      const list = classesByCwe.get(cwe) ?? [];
      list.push(name);
      classesByCwe.set(cwe, list);
    }
  }
  const capabilities = new Map<string, CompiledCapability>();
  for (const [name, capability] of Object.entries(file.capabilities)) {
    capabilities.set(name, {
      name,
      description: capability.description,
      cwes: capability.cwes ? new Set(capability.cwes) : null,
      classes: capability.classes ? new Set(capability.classes) : null,
    });
  }
  const mappings: CompiledMapping[] = file.mappings.map((mapping) => ({
    ...mapping,
    controlKinds: new Set(mapping.controlKinds),
    modes: new Set(mapping.modes),
    classes: new Set(mapping.classes),
    vectors: mapping.vectors ? new Set(mapping.vectors) : null,
    exposureKinds: mapping.exposureKinds ? new Set(mapping.exposureKinds) : null,
  }));
  return {
    version: file.version,
    source,
    weaknessClasses: file.weaknessClasses,
    classesByCwe,
    exposureKindClasses: new Map(Object.entries(file.exposureKindClasses) as [FindingKind, string[]][]),
    capabilities,
    kindCapabilities: new Map(Object.entries(file.kindCapabilities) as [ControlKind, string[]][]),
    mappings,
    mappingsById: new Map(mappings.map((mapping) => [mapping.id, mapping])),
  };
}
