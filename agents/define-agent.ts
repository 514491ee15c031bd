import type { z } from 'zod';
import type { Prompt } from '../prompts/index.ts';
import type { ToolContext } from '../tools/context.ts';
import type { AnyTool } from '../tools/define-tool.ts';

/**
 * What agents get besides their input. `call` runs one of the agent's own tools through the
 * tool runner (validated, allow-listed, audited), so the rules back-end uses the same door as a model.
 */
export type AgentContext = {
  tools: ToolContext;
  call(toolName: string, args: unknown): Promise<unknown>;
  now(): Date;
};

export type AgentSpec<I extends z.ZodType, O extends z.ZodType> = {
  /** A noun: summarizer, control-assessor, planner, verifier. */
  name: string;
  prompt: Prompt;
  input: I;
  /** Parse failure of a model answer is a ModelBehaviorError; never acted on. */
  output: O;
  /** The allow-list: the only tools this agent may call, on either back-end. */
  tools: readonly AnyTool[];
  /** The user message: instructions plus the input as delimited, untrusted data. */
  request(input: z.infer<I>): string;
  maxSteps: number;
  /** The deterministic back-end: real logic producing the same output schema, no model. */
  rules(input: z.infer<I>, context: AgentContext): Promise<z.infer<O>>;
  /**
   * Checks the schema cannot express (a version must come from the advisory data, a control must
   * exist, be enabled and in scope). Returns the problems; any problem means the output is not used.
   */
  validate(output: z.infer<O>, input: z.infer<I>, context: AgentContext): Promise<string[]>;
  /** Ids of the inputs recorded with the decision (advisory, exposure, asset ids). */
  inputIds(input: z.infer<I>): string[];
};

export type Agent<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = AgentSpec<I, O>;

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous agent list needs an existential type
export type AnyAgent = Agent<any, any>;

/** An agent file holds data only; src/graph/run-agent.ts runs it on either back-end. */
export function defineAgent<I extends z.ZodType, O extends z.ZodType>(spec: AgentSpec<I, O>): Agent<I, O> {
  if (spec.maxSteps < 1) throw new Error(`agent ${spec.name}: maxSteps must be at least 1`);
  return spec;
}
