import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, ErrorCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolContext } from '../../tools/context.ts';
import type { AnyTool } from '../../tools/define-tool.ts';
import { explainRisk } from '../../tools/explain-risk.ts';
import { getAdvisory } from '../../tools/get-advisory.ts';
import { getAsset } from '../../tools/get-asset.ts';
import { listPendingApprovals } from '../../tools/list-pending-approvals.ts';
import { searchExposures } from '../../tools/search-exposures.ts';
import { semanticSearch } from '../../tools/semantic-search.ts';
import type { AskService } from '../ask/service.ts';
import { AskAnswerSchema } from '../domain/ask.ts';
import type { AuditEntry } from '../domain/audit.ts';
import { type Role, roleAllows } from '../domain/auth.ts';
import { ServiceError } from '../domain/errors.ts';
import type { ExposureSummary } from '../domain/exposure-detail.ts';
import type { PlanRecord } from '../domain/plan.ts';
import { VERSION } from '../version.ts';
import { getExposureContext } from './get-exposure-context.ts';
import { outputJsonSchema, registerMcpTool, type Summarize, toJson, wireSchema } from './register-tool.ts';

/** A decision on a plan, as the orchestrator takes it (its `decide`). */
export type McpDecisionInput = {
  planId: string;
  decision: 'approve' | 'reject' | 'request_changes';
  by: string;
  note: string | null;
};
export type McpDecide = (
  input: McpDecisionInput,
) => Promise<{ plan: Pick<PlanRecord, 'id' | 'state' | 'requestedBy'>; replayed: boolean }>;

export type McpServerOptions = {
  context: () => ToolContext;
  /** The caller's role: reading needs viewer; `decide_approval` exists only for approver and up. */
  role: Role;
  /** Who calls (a token name, or the OS user for stdio): audited as `mcp:<identity>`. */
  identity: string;
  audit(entry: AuditEntry): Promise<void>;
  /** The orchestrator's decide; without it no decision tool is offered, whatever the role. */
  decide?: McpDecide;
  /** Natural-language questions; without it no `ask` tool is offered. */
  ask?: AskService;
};

/** The read tools MCP exposes, in the order clients list them. */
export const MCP_READ_TOOLS: readonly AnyTool[] = [
  searchExposures,
  getExposureContext,
  getAsset,
  getAdvisory,
  listPendingApprovals,
  explainRisk,
  semanticSearch,
];

const SUMMARIES: Record<string, Summarize> = {
  search_exposures: (output) => {
    const { total, rows } = output as { total: number; rows: ExposureSummary[] };
    const lines = rows.map(
      (r) => `${r.id}  ${r.ssvcDecision ?? '-'}  risk ${r.riskScore ?? '-'}  ${r.vulnerabilityId}  ${r.title}`,
    );
    return [`${rows.length} of ${total} exposures`, ...lines].join('\n');
  },
  explain_risk: (output) => (output as { text: string }).text,
  list_pending_approvals: (output) => {
    const { plans } = output as { plans: PlanRecord[] };
    const lines = plans.map((p) => `${p.id}  ${p.kind}  ${p.title}  (requested by ${p.requestedBy})`);
    return [`${plans.length} plans awaiting approval`, ...lines].join('\n');
  },
};

/**
 * Mobilize over MCP: read-only tools, resources and a triage prompt for one caller. Deciding an
 * approval is offered only to an approver with an orchestrator behind it; separation of duties is
 * the orchestrator's (a requester's own decision comes back as an `isError` result).
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'mobilize', version: VERSION },
    {
      instructions:
        'Mobilize holds the exposure estate: assets, advisories, exposures with their SSVC priority, ' +
        'control coverage and remediation plans. Start with search_exposures or semantic_search, then get_exposure.',
    },
  );
  const actor = `mcp:${options.identity}`;
  const canDecide = roleAllows(options.role, 'approver') && options.decide !== undefined;
  const allowed = MCP_READ_TOOLS.map((t) => t.name);
  const run = { context: options.context, actor, allowed, audit: options.audit };
  for (const tool of MCP_READ_TOOLS) registerMcpTool(server, tool, run, SUMMARIES[tool.name]);
  if (options.ask) registerAsk(server, options.ask, options.identity);
  if (canDecide) registerDecide(server, options.decide!, options);
  registerResources(server, options.context);
  registerPrompts(server, canDecide);
  return server;
}

function registerAsk(server: McpServer, ask: AskService, identity: string): void {
  server.registerTool(
    'ask',
    {
      description:
        'Ask a question about the exposure estate in plain language, e.g. "which internet-facing prod assets have ' +
        'KEV vulns that no WAF covers" or "are we safer than 90 days ago". Returns a short answer, the structured ' +
        'result, the typed query it ran and citations (exposure, asset and advisory ids).',
      inputSchema: { question: z.string().trim().min(1).max(1000) },
      outputSchema: wireSchema(outputJsonSchema(AskAnswerSchema)),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ question }): Promise<CallToolResult> => {
      try {
        const answer = await ask.ask(question, { actor: `mcp:${identity}` });
        return { structuredContent: toJson(answer), content: [{ type: 'text', text: answer.text }] };
      } catch (error) {
        if (error instanceof ServiceError && error.status < 500) {
          return { isError: true, content: [{ type: 'text', text: error.message }] };
        }
        throw new McpError(ErrorCode.InternalError, 'ask failed on the server');
      }
    },
  );
}

function registerDecide(server: McpServer, decide: McpDecide, options: McpServerOptions): void {
  const by = `user:${options.identity}`;
  server.registerTool(
    'decide_approval',
    {
      description:
        'Approve, reject or request changes on a plan awaiting approval. Only a different person than ' +
        'the one who requested the plan may decide it. Read the plan (list_pending_approvals) first.',
      inputSchema: {
        planId: z.string().min(1).max(200),
        decision: z.enum(['approve', 'reject', 'request_changes']),
        note: z.string().max(10_000).optional().describe('why: shown in the audit log'),
      },
      outputSchema: {
        planId: z.string(),
        state: z.string(),
        decidedBy: z.string(),
        replayed: z.boolean(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ planId, decision, note }): Promise<CallToolResult> => {
      const auditCall = (data: Record<string, unknown>) =>
        options.audit({
          actor: `mcp:${options.identity}`,
          action: 'tool.called',
          subjectType: 'tool',
          subjectId: 'decide_approval',
          data: { kind: 'action', planId, decision, ...data },
        });
      try {
        const result = await decide({ planId, decision, by, note: note ?? null });
        await auditCall({ ok: true, replayed: result.replayed });
        const output = toJson({
          planId: result.plan.id,
          state: result.plan.state,
          decidedBy: by,
          replayed: result.replayed,
        });
        return {
          structuredContent: output,
          content: [{ type: 'text', text: `plan ${result.plan.id} is now ${result.plan.state}` }],
        };
      } catch (error) {
        // Refusals the caller can understand (separation of duties, not pending, unknown plan).
        if (error instanceof ServiceError && error.status < 500) {
          await auditCall({ ok: false, code: error.code });
          return { isError: true, content: [{ type: 'text', text: error.message }] };
        }
        await auditCall({ ok: false, code: 'FAILED' });
        throw new McpError(ErrorCode.InternalError, 'decide_approval failed on the server; the call was logged');
      }
    },
  );
}

function jsonResource(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

function oneId(variables: Record<string, string | string[]>): string {
  const id = variables.id;
  const value = Array.isArray(id) ? id[0] : id;
  if (!value) throw new McpError(ErrorCode.InvalidParams, 'the resource URI needs an id');
  return decodeURIComponent(value);
}

function registerResources(server: McpServer, context: () => ToolContext): void {
  const resources: { name: string; description: string; read: (id: string) => Promise<unknown | null> }[] = [
    {
      name: 'exposure',
      description: 'One exposure with its full context (as get_exposure returns it), as JSON.',
      read: (id) => context().reader.exposureContext(id),
    },
    {
      name: 'asset',
      description: 'One asset of the estate, as JSON.',
      read: (id) => context().reader.getAsset(id),
    },
    {
      name: 'advisory',
      description: 'One advisory by id or alias (CVE, GHSA), as JSON.',
      read: (id) => context().reader.getAdvisory(id),
    },
  ];
  for (const resource of resources) {
    server.registerResource(
      resource.name,
      new ResourceTemplate(`mobilize://${resource.name}/{id}`, { list: undefined }),
      { description: resource.description, mimeType: 'application/json' },
      async (uri, variables) => {
        const id = oneId(variables);
        const value = await resource.read(id);
        if (value === null) throw new McpError(ErrorCode.InvalidParams, `No ${resource.name} "${id}"`);
        return jsonResource(uri, value);
      },
    );
  }
}

function registerPrompts(server: McpServer, canDecide: boolean): void {
  server.registerPrompt(
    'triage-exposure',
    {
      description: 'Triage one exposure with Mobilize: its priority, why, what covers it and what to do next.',
      argsSchema: { exposureId: z.string().min(1).max(200).describe('exposure id, e.g. exp_1a2b3c...') },
    },
    ({ exposureId }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Triage exposure ${exposureId} using the Mobilize tools.`,
              `1. Call get_exposure with id "${exposureId}" for its asset, advisory, findings, coverage and plans.`,
              `2. Call explain_risk with exposureId "${exposureId}" and quote its SSVC path and risk factors.`,
              '3. Use semantic_search or search_exposures to find related exposures on other assets.',
              '4. Say whether the priority holds, what mitigates it today, and the next step with its owner.',
              canDecide
                ? 'Do not decide an approval unless the user asks you to.'
                : 'You cannot change anything: recommend, do not act.',
              'Cite ids and tool output; never invent versions or fixes.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
}
