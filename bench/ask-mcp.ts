/**
 * MCP reads over Streamable HTTP against the same reads through the library: the real HTTP app
 * (src/api/app.ts) listens on loopback, an SDK client with a viewer token calls
 * `search_exposures` and `get_exposure`; the baseline calls createEstate(...) directly, in turn
 * with the MCP calls. The
 * difference is what the protocol costs: HTTP, token check, session, validation, audit, JSON.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { buildApp } from '../src/api/app.ts';
import type { Config } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { createApiToken } from '../src/db/repositories/api-tokens.ts';
import { ExposureQuerySchema } from '../src/domain/exposure-query.ts';
import { createEstate } from '../src/graph/estate.ts';
import { loadFormats } from '../src/ingest/registry.ts';
import { createLogger } from '../src/logger.ts';
import type { Policy } from '../src/prioritize/policy.ts';
import { VERSION } from '../src/version.ts';
import { type LatencySummary, type Measured, measureAlternating, summarizeLatencies } from './latency.ts';
import type { Random } from './seeded-random.ts';

/** A mix of the typed filters an assistant uses, from cheap (one id) to broad (every active exposure). */
export function searchQueries(assetId: string): Record<string, unknown>[] {
  return [
    { decision: 'Act' },
    { kev: true, internetFacing: true },
    { owner: 'payments-platform', decision: 'Act' },
    { environment: 'production', criticality: 'crown_jewel', limit: 10 },
    { slaBreached: true, sort: 'sla' },
    { coverage: 'none', kev: true, limit: 20 },
    { minEpss: 0.5, sort: 'epss' },
    { component: 'log4j' },
    { vulnerabilityId: 'CVE-2021-44228' },
    { triage: true, limit: 25 },
    { state: 'all', limit: 20, offset: 100 },
    { assetId },
  ];
}

export type McpReport = {
  search: { mcp: Measured; library: Measured };
  get: { mcp: Measured; library: Measured };
  /** search_exposures per filter set, slowest (through the library) first. */
  perQuery: { query: string; library: LatencySummary; mcp: LatencySummary }[];
  firstError: string | null;
};

function toolFailure(result: CallToolResult): string | null {
  if (!result.isError) return null;
  const text = result.content.find((c) => c.type === 'text');
  return text && 'text' in text ? text.text : 'isError without text';
}

export async function measureMcpReads(options: {
  db: Database;
  policy: Policy;
  config: Config;
  exposureIds: string[];
  assetIds: string[];
  calls: number;
  warmup: number;
  budgetSeconds: number;
  random: Random;
}): Promise<McpReport> {
  const { db, policy, config, random } = options;
  const queries = searchQueries(random.pick(options.assetIds));
  // Independent samples of ids for each side, so neither reads rows the other just warmed.
  const ids = (n: number) => Array.from({ length: n }, () => random.pick(options.exposureIds));
  const total = options.calls + options.warmup;
  const [mcpIds, libraryIds] = [ids(total), ids(total)];
  let firstError: string | null = null;
  const onError = (_: number, why: string) => {
    firstError ??= why;
  };
  const bySide = { library: queries.map((): number[] => []), mcp: queries.map((): number[] => []) };
  const perQuery = (side: keyof typeof bySide) => (i: number, ms: number) => {
    bySide[side][i % queries.length]!.push(ms);
  };
  // The budget is per side; alternating series spend it on both sides at once.
  const budgetSeconds = options.budgetSeconds;

  const estate = createEstate(db, policy);
  const token = await createApiToken(db, { name: 'bench-ask', role: 'viewer' });
  const app = await buildApp({
    config,
    db,
    logger: createLogger(config),
    version: VERSION,
    formats: await loadFormats(),
    policy,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 'bench-ask', version: VERSION });
  try {
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${address}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token.token}` } },
      }),
    );
    const call = (name: string, args: Record<string, unknown>) =>
      client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
    // Library and MCP in turn, call by call, so load changes during the run hit both alike.
    const search = await measureAlternating(
      options.calls,
      {
        library: {
          call: (i) => estate.searchExposures(ExposureQuerySchema.parse(queries[i % queries.length])),
          onError,
          onSample: perQuery('library'),
        },
        mcp: {
          call: (i) => call('search_exposures', queries[i % queries.length]!),
          failed: toolFailure,
          onError,
          onSample: perQuery('mcp'),
        },
      },
      { warmup: options.warmup, budgetSeconds: budgetSeconds * 2 },
    );
    const get = await measureAlternating(
      options.calls,
      {
        library: {
          call: (i) => estate.exposureContext(libraryIds[i]!),
          failed: (context: unknown) => (context ? null : 'exposure not found'),
          onError,
        },
        mcp: { call: (i) => call('get_exposure', { id: mcpIds[i]! }), failed: toolFailure, onError },
      },
      { warmup: options.warmup, budgetSeconds: budgetSeconds * 2 },
    );
    return {
      search,
      get,
      perQuery: queries
        .map((query, q) => ({
          query: JSON.stringify(query),
          library: summarizeLatencies(bySide.library[q]!),
          mcp: summarizeLatencies(bySide.mcp[q]!),
        }))
        .sort((a, b) => b.library.p50 - a.library.p50),
      firstError,
    };
  } finally {
    await client.close();
    await app.close();
  }
}
