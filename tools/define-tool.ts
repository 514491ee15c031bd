import { z } from 'zod';
import type { ToolContext } from './context.ts';

/**
 * What an action tool changes in the world. The policy gate reads these: a plan whose steps
 * delete data, widen access or touch identity never runs without a human, whatever else holds.
 */
export const ToolEffectSchema = z.enum([
  'modifies_code',
  'opens_change_request',
  'creates_ticket',
  'notifies',
  'changes_control',
  'deletes_data',
  'widens_access',
  'touches_identity',
]);
export type ToolEffect = z.infer<typeof ToolEffectSchema>;

/** A failure the model (or the planner) can fix: returned as data with a recovery hint, never thrown. */
export type ToolFailure = { readonly isToolError: true; readonly message: string };

export function toolError(hint: string): ToolFailure {
  return { isToolError: true, message: hint };
}

export function isToolFailure(value: unknown): value is ToolFailure {
  return typeof value === 'object' && value !== null && (value as { isToolError?: unknown }).isToolError === true;
}

export type ToolSpec<I extends z.ZodType, O extends z.ZodType> = {
  /** snake_case verb_noun, the name a model sees. */
  name: string;
  /** Written for the model: when to call it and what it returns. */
  description: string;
  /** `read` tools only look; `action` tools change something and need an idempotency key. */
  kind: 'read' | 'action';
  /** Action tools: what they change (the policy gate reads these). */
  effects?: readonly ToolEffect[];
  input: I;
  output: O;
  run(input: z.infer<I>, context: ToolContext): Promise<z.infer<O> | ToolFailure>;
};

/** A typed tool: one definition that the tool runner, both agent back-ends and MCP share. */
export type Tool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = ToolSpec<I, O> & {
  readonly effects: readonly ToolEffect[];
  /** JSON Schema of the input, for model tool calling and MCP. */
  inputJsonSchema(): Record<string, unknown>;
};

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous tool list needs an existential type
export type AnyTool = Tool<any, any>;

export function defineTool<I extends z.ZodType, O extends z.ZodType>(spec: ToolSpec<I, O>): Tool<I, O> {
  if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(spec.name)) {
    throw new Error(`tool name "${spec.name}" must be snake_case verb_noun`);
  }
  if (spec.kind === 'read' && spec.effects?.length) throw new Error(`read tool "${spec.name}" cannot have effects`);
  let schema: Record<string, unknown> | undefined;
  return {
    ...spec,
    effects: spec.effects ?? [],
    inputJsonSchema() {
      schema ??= z.toJSONSchema(spec.input, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
      return schema;
    },
  };
}
