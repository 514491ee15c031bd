import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolContext } from '../../tools/context.ts';
import type { AnyTool } from '../../tools/define-tool.ts';
import { runTool } from '../../tools/run-tool.ts';
import type { AuditEntry } from '../domain/audit.ts';

/** How MCP calls run through the tool runner: who calls, what they may call, where calls are audited. */
export type McpToolRunOptions = {
  /** A fresh context per call (the estate is read at call time). */
  context: () => ToolContext;
  /** `mcp:<identity>`: recorded in the audit log for every call. */
  actor: string;
  /** The names registered on this server: the runner refuses any other. */
  allowed: readonly string[];
  audit(entry: AuditEntry): Promise<void>;
};

/** Turns a tool's validated output into the text part of the result, for clients that only show text. */
export type Summarize = (output: unknown) => string;

/** Dates become ISO strings, as they would on the wire: structured content is plain JSON. */
export function toJson(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/**
 * JSON Schema of a tool's output as MCP clients receive it: dates are ISO strings
 * (`format: date-time`), because structured content is JSON and zod dates have no JSON Schema.
 */
export function outputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    override(ctx) {
      if (ctx.zodSchema._zod.def.type === 'date') {
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.format = 'date-time';
      }
    },
  }) as Record<string, unknown>;
}

/**
 * The SDK lists schemas and checks arguments and structured content with zod schemas of its own
 * kind. We give it schemas rebuilt from the tools' JSON Schema: the wire shape (strings for dates,
 * no transforms), so what the client is told, what the SDK checks and what is sent agree. The
 * tool's own zod schemas stay the authority: `runTool` validates input and output with them.
 */
export function wireSchema(json: Record<string, unknown>): z.ZodType {
  return z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
}

/** A JSON-RPC error that hides internals: the audit log has the real message. */
function internalError(toolName: string): McpError {
  return new McpError(ErrorCode.InternalError, `${toolName} failed on the server; the call was logged`);
}

/**
 * Registers one Mobilize tool on an MCP server under `tool.name`. Every call goes through
 * `runTool` (allow-list, validation, audit). Outcomes keep the three error channels apart:
 * a tool failure is an `isError` result with the tool's recovery hint; bad arguments are
 * InvalidParams; anything else is InternalError without details. (SDK 1.32 reports errors thrown
 * by a tool handler to the client as an `isError` result whose text carries the JSON-RPC code.)
 */
export function registerMcpTool(
  server: McpServer,
  tool: AnyTool,
  options: McpToolRunOptions,
  summarize: Summarize = (output) => JSON.stringify(output, null, 2),
): RegisteredTool {
  return server.registerTool(
    tool.name,
    {
      description: tool.description,
      inputSchema: wireSchema(tool.inputJsonSchema()),
      outputSchema: wireSchema(outputJsonSchema(tool.output)),
      annotations: { readOnlyHint: tool.kind === 'read', openWorldHint: false },
    },
    async (args: unknown): Promise<CallToolResult> => {
      let result: Awaited<ReturnType<typeof runTool>>;
      try {
        result = await runTool(tool, args, options.context(), {
          allowed: options.allowed,
          actor: options.actor,
          audit: options.audit,
        });
      } catch {
        // ToolOutputError (our bug) or the audit log failing: never the caller's fault.
        throw internalError(tool.name);
      }
      if (result.ok) {
        const output = toJson(result.output);
        return { structuredContent: output, content: [{ type: 'text', text: summarize(output) }] };
      }
      switch (result.code) {
        case 'TOOL_ERROR':
          return { isError: true, content: [{ type: 'text', text: result.message }] };
        case 'INVALID_INPUT':
        case 'NOT_ALLOWED':
          throw new McpError(ErrorCode.InvalidParams, result.message);
        default:
          throw internalError(tool.name);
      }
    },
  );
}
