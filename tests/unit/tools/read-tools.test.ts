import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { type Advisory, AdvisorySchema } from '../../../src/domain/advisory.ts';
import { type Asset, AssetSchema } from '../../../src/domain/asset.ts';
import { type Control, ControlSchema } from '../../../src/domain/control.ts';
import {
  type ExposureDetail,
  ExposureDetailSchema,
  type ExposureSummary,
  ExposureSummarySchema,
} from '../../../src/domain/exposure-detail.ts';
import type { CoverageAssessment } from '../../../src/domain/priority.ts';
import { type BuiltinTicket, BuiltinTicketSchema, type NewTicket } from '../../../src/domain/ticket.ts';
import { assessCoverage } from '../../../tools/assess-coverage.ts';
import type { EstateReader, ToolContext } from '../../../tools/context.ts';
import { createTicket } from '../../../tools/create-ticket.ts';
import { type AnyTool, isToolFailure, type Tool, type ToolFailure } from '../../../tools/define-tool.ts';
import { getAdvisory } from '../../../tools/get-advisory.ts';
import { getAsset } from '../../../tools/get-asset.ts';
import { getExposure } from '../../../tools/get-exposure.ts';
import * as toolIndex from '../../../tools/index.ts';
import { READ_TOOLS, TOOLS } from '../../../tools/index.ts';
import { listControls } from '../../../tools/list-controls.ts';
import { searchExposures } from '../../../tools/search-exposures.ts';
import { coverageOf, wafContribution } from '../../helpers/prioritize.ts';
import { unusedPorts } from '../../helpers/unused-ports.ts';

const ASSET: Asset = AssetSchema.parse({
  id: 'shop-repo',
  name: 'Shop storefront repository',
  kind: 'repository',
  environment: 'production',
  owner: 'alice@example.com',
});

const ADVISORY: Advisory = AdvisorySchema.parse({
  id: 'GHSA-35jh-r3h4-6jhm',
  source: 'osv',
  aliases: ['CVE-2021-23337'],
  title: 'Command Injection in lodash',
  severity: 'high',
  cwes: ['CWE-94'],
  affected: [
    {
      ecosystem: 'npm',
      package: 'lodash',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
      fixed: ['4.17.21'],
    },
  ],
});

const EXPOSURE: ExposureDetail = ExposureDetailSchema.parse({
  exposure: {
    id: 'exp-lodash',
    correlationKey: 'shop-repo|GHSA-35jh-r3h4-6jhm|lodash',
    assetId: ASSET.id,
    advisoryId: ADVISORY.id,
    vulnerabilityId: 'CVE-2021-23337',
    kind: 'package',
    component: 'lodash',
    ecosystem: 'npm',
    title: 'lodash: command injection',
    severity: 'high',
    state: 'open',
    coverage: 'none',
    reachable: 'open',
    reopenCount: 0,
    firstSeenAt: '2025-01-01T00:00:00Z',
    lastSeenAt: '2025-01-02T00:00:00Z',
    openedAt: '2025-01-01T00:00:00Z',
  },
  asset: ASSET,
  advisory: ADVISORY,
  findings: [
    {
      fingerprint: 'fp-1',
      sourceTool: 'trivy',
      ruleId: 'CVE-2021-23337',
      packageName: 'lodash',
      packageVersion: '4.17.15',
      fixedVersions: ['4.17.21'],
      location: 'package.json',
      state: 'open',
      lastSeenAt: '2025-01-02T00:00:00Z',
    },
  ],
  coverageEvidence: [],
});

const CONTROLS: Control[] = [
  ControlSchema.parse({
    id: 'waf-edge',
    name: 'Edge WAF',
    kind: 'waf',
    mode: 'block',
    scope: { assetIds: [ASSET.id] },
    rules: [{ id: 'r-94', cwes: ['CWE-94'] }],
  }),
];

const SUMMARY: ExposureSummary = ExposureSummarySchema.parse({
  id: EXPOSURE.exposure.id,
  title: EXPOSURE.exposure.title,
  state: 'open',
  vulnerabilityId: 'CVE-2021-23337',
  advisoryId: ADVISORY.id,
  component: 'lodash',
  severity: 'high',
  riskScore: 71,
  ssvcDecision: 'Attend',
  coverage: 'none',
  reachable: 'open',
  owner: 'alice@example.com',
  team: null,
  triage: false,
  slaDueAt: null,
  assetId: ASSET.id,
  assetName: ASSET.name,
  environment: 'production',
  internetExposure: 'internet',
  kev: false,
  epssScore: 0.02,
  findings: 1,
  openedAt: '2025-01-01T00:00:00Z',
});

const COVERAGE: CoverageAssessment = coverageOf({
  coverage: 'full',
  contributions: [wafContribution('waf-edge', 'full', 'unchanged')],
  effect: 'the WAF blocks the injection',
});

/** A hand-written ToolContext over the constants above; `created` records every tickets.create call. */
function fakeContext(over: Partial<ToolContext> = {}) {
  const created: { ticket: NewTicket; key: string }[] = [];
  const queries: unknown[] = [];
  const reader: EstateReader = {
    getExposure: async (id) => (id === EXPOSURE.exposure.id ? EXPOSURE : null),
    getAsset: async (id) => (id === ASSET.id ? ASSET : null),
    getAdvisory: async (id) => (id === ADVISORY.id || ADVISORY.aliases.includes(id) ? ADVISORY : null),
    controlsForAsset: async (id) => (id === ASSET.id ? CONTROLS : []),
    searchExposures: async (query) => {
      queries.push(query);
      const rows = [SUMMARY].filter((row) => !query.assetId || row.assetId === query.assetId);
      return { total: rows.length, rows };
    },
    assessCoverage: async (id) => (id === EXPOSURE.exposure.id ? COVERAGE : null),
    semanticSearch: async () => {
      throw new Error('reader.semanticSearch is not used by these tools');
    },
    pendingPlans: async () => {
      throw new Error('reader.pendingPlans is not used by these tools');
    },
    explainRisk: async () => {
      throw new Error('reader.explainRisk is not used by these tools');
    },
    runQuery: async () => {
      throw new Error('reader.runQuery is not used by these tools');
    },
    vocabulary: async () => {
      throw new Error('reader.vocabulary is not used by these tools');
    },
    exposureContext: async () => {
      throw new Error('reader.exposureContext is not used by these tools');
    },
  };
  const context: ToolContext = {
    reader,
    ...unusedPorts(),
    tickets: {
      async create(ticket, key): Promise<BuiltinTicket> {
        created.push({ ticket, key });
        return {
          id: `T-${created.length}`,
          system: 'builtin',
          title: ticket.title,
          owner: ticket.owner ?? null,
          dueAt: ticket.dueAt ?? null,
          state: 'open',
          planId: ticket.planId ?? null,
          url: null,
        };
      },
    },
    dryRun: false,
    timeoutMs: 1000,
    now: () => new Date('2025-01-03T00:00:00Z'),
    ...over,
  };
  return { context, created, queries };
}

/** Parses the input as the runner does, runs the tool, and validates a non-failure output. */
async function call<I extends z.ZodType, O extends z.ZodType>(
  tool: Tool<I, O>,
  args: unknown,
  context: ToolContext = fakeContext().context,
): Promise<z.infer<O> | ToolFailure> {
  const raw = await tool.run(tool.input.parse(args), context);
  return isToolFailure(raw) ? raw : tool.output.parse(raw);
}

async function failureOf(attempt: Promise<unknown>): Promise<ToolFailure> {
  const result = await attempt;
  if (!isToolFailure(result)) throw new Error(`expected a toolError, got ${JSON.stringify(result)}`);
  return result;
}

describe('get_exposure', () => {
  it('returns the exposure detail', async () => {
    const detail = await call(getExposure, { id: 'exp-lodash' });
    expect(isToolFailure(detail)).toBe(false);
    expect(ExposureDetailSchema.parse(detail)).toEqual(EXPOSURE);
  });

  it.each([[{}], [{ id: '' }], [{ id: 'x'.repeat(201) }], [{ id: 7 }]])('rejects the input %j', (args) => {
    expect(getExposure.input.safeParse(args).success).toBe(false);
  });

  it('answers an unknown id with a hint to search', async () => {
    const failure = await failureOf(call(getExposure, { id: 'exp-nope' }));
    expect(failure.message).toContain('exp-nope');
    expect(failure.message).toContain('search_exposures');
  });

  it('types its input', () => {
    expectTypeOf<z.infer<typeof getExposure.input>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf(getExposure.run).parameter(0).toEqualTypeOf<{ id: string }>();
  });
});

describe('get_asset', () => {
  it('returns the asset', async () => {
    expect(await call(getAsset, { id: 'shop-repo' })).toEqual(ASSET);
  });

  it.each([[{}], [{ id: '' }], [{ assetId: 'shop-repo' }]])('rejects the input %j', (args) => {
    expect(getAsset.input.safeParse(args).success).toBe(false);
  });

  it('answers an unknown id with a toolError', async () => {
    expect((await failureOf(call(getAsset, { id: 'ghost' }))).message).toContain('"ghost"');
  });
});

describe('get_advisory', () => {
  it('finds an advisory by its id and by an alias', async () => {
    expect(await call(getAdvisory, { id: 'GHSA-35jh-r3h4-6jhm' })).toEqual(ADVISORY);
    const byAlias = await call(getAdvisory, { id: 'CVE-2021-23337' });
    expect(AdvisorySchema.parse(byAlias).id).toBe('GHSA-35jh-r3h4-6jhm');
  });

  it.each([[{ id: 'ab' }], [{ id: '1CVE-2021-1' }], [{ id: 'CVE 2021 1' }], [{ id: '<system>' }]])(
    'rejects the input %j',
    (args) => {
      expect(getAdvisory.input.safeParse(args).success).toBe(false);
    },
  );

  it('answers an unknown id with a toolError', async () => {
    expect((await failureOf(call(getAdvisory, { id: 'CVE-2099-0001' }))).message).toContain('CVE-2099-0001');
  });
});

describe('list_controls', () => {
  it('lists the controls in scope of an asset', async () => {
    const listed = await call(listControls, { assetId: 'shop-repo' });
    expect(listed).toEqual({ assetId: 'shop-repo', controls: CONTROLS });
  });

  it.each([[{}], [{ assetId: '' }], [{ id: 'shop-repo' }]])('rejects the input %j', (args) => {
    expect(listControls.input.safeParse(args).success).toBe(false);
  });

  it('answers an unknown asset with a toolError, not an empty list', async () => {
    expect((await failureOf(call(listControls, { assetId: 'ghost' }))).message).toContain('"ghost"');
  });
});

describe('search_exposures', () => {
  it('passes typed filters with their defaults to the reader and returns its rows', async () => {
    const { context, queries } = fakeContext();
    const result = await call(searchExposures, { assetId: 'shop-repo', kev: 'false', limit: '10' }, context);
    expect(result).toEqual({ total: 1, rows: [SUMMARY] });
    expect(queries).toEqual([
      { state: 'active', assetId: 'shop-repo', kev: false, sort: 'risk', limit: 10, offset: 0 },
    ]);
  });

  it.each([[{ limit: 0 }], [{ limit: 501 }], [{ sort: 'random' }], [{ state: 'closed' }], [{ minEpss: 2 }]])(
    'rejects the input %j',
    (args) => {
      expect(searchExposures.input.safeParse(args).success).toBe(false);
    },
  );

  // search_exposures has no toolError path: a query that matches nothing is an empty page, not a failure.
  it('answers a query matching nothing with an empty page', async () => {
    expect(await call(searchExposures, { assetId: 'ghost' })).toEqual({ total: 0, rows: [] });
  });
});

describe('assess_coverage', () => {
  it("returns the engine's assessment", async () => {
    expect(await call(assessCoverage, { exposureId: 'exp-lodash' })).toEqual(COVERAGE);
  });

  it.each([[{}], [{ exposureId: '' }], [{ id: 'exp-lodash' }]])('rejects the input %j', (args) => {
    expect(assessCoverage.input.safeParse(args).success).toBe(false);
  });

  it('answers an unknown exposure with a toolError', async () => {
    expect((await failureOf(call(assessCoverage, { exposureId: 'exp-nope' }))).message).toContain('exp-nope');
  });
});

describe('create_ticket', () => {
  const ticket = (over: Record<string, unknown> = {}) => ({
    title: 'Upgrade lodash',
    owner: 'alice@example.com',
    dueAt: '2025-02-01T00:00:00Z',
    exposureIds: ['exp-lodash'],
    ...over,
  });
  let fake: ReturnType<typeof fakeContext>;
  beforeEach(() => {
    fake = fakeContext({ idempotencyKey: 'plan-1:step-2', planId: 'plan-1' });
  });

  it('is an action that creates tickets', () => {
    expect(createTicket.kind).toBe('action');
    expect(createTicket.effects).toEqual(['creates_ticket']);
    expectTypeOf<z.infer<typeof createTicket.output>['state']>().toEqualTypeOf<'open' | 'closed'>();
  });

  it('creates the ticket under the idempotency key, attached to the context plan', async () => {
    const created = await call(createTicket, ticket(), fake.context);
    expect(BuiltinTicketSchema.parse(created)).toMatchObject({
      id: 'T-1',
      title: 'Upgrade lodash',
      planId: 'plan-1',
      dueAt: new Date('2025-02-01T00:00:00Z'),
    });
    expect(fake.created).toHaveLength(1);
    expect(fake.created[0]!.key).toBe('plan-1:step-2');
    expect(fake.created[0]!.ticket).toMatchObject({ body: '', exposureIds: ['exp-lodash'], planId: 'plan-1' });
  });

  it.each([
    [{ exposureIds: [] }],
    [{ title: '' }],
    [{ title: 'x'.repeat(301) }],
    [{ dueAt: 'next tuesday' }],
    [{ exposureIds: 'exp-lodash' }],
  ])('rejects the input %j', (over) => {
    expect(createTicket.input.safeParse(ticket(over)).success).toBe(false);
  });

  it('answers an unknown exposure with a toolError and creates nothing', async () => {
    const failure = await failureOf(
      call(createTicket, ticket({ exposureIds: ['exp-lodash', 'exp-ghost'] }), fake.context),
    );
    expect(failure.message).toContain('exp-ghost');
    expect(fake.created).toHaveLength(0);
  });

  it('answers a missing idempotency key with a toolError', async () => {
    const { context, created } = fakeContext();
    expect((await failureOf(call(createTicket, ticket(), context))).message).toMatch(/idempotency key/);
    expect(created).toHaveLength(0);
  });

  it("dry-runs to an id '(dry run)' without calling tickets.create", async () => {
    const { context, created } = fakeContext({ dryRun: true, planId: 'plan-7' });
    const result = await call(createTicket, ticket({ exposureIds: ['exp-ghost'] }), context);
    expect(result).toEqual({
      id: '(dry run)',
      system: 'builtin',
      title: 'Upgrade lodash',
      owner: 'alice@example.com',
      dueAt: new Date('2025-02-01T00:00:00Z'),
      state: 'open',
      planId: 'plan-7',
      url: null,
    });
    expect(created).toHaveLength(0);
  });
});

describe('the tool index', () => {
  const exported = (Object.values(toolIndex) as unknown[]).filter(
    (value): value is AnyTool => typeof value === 'object' && value !== null && 'inputJsonSchema' in value,
  );

  it('holds every exported tool once, under its own name', () => {
    const names = exported.map((tool) => tool.name);
    expect(exported.length).toBeGreaterThanOrEqual(9);
    expect(new Set(names).size).toBe(names.length);
    expect(TOOLS.size).toBe(exported.length);
    for (const [name, tool] of TOOLS) expect(tool.name).toBe(name);
    for (const tool of exported) expect(TOOLS.get(tool.name)).toBe(tool);
  });

  it('lists every read tool and no action tool in READ_TOOLS', () => {
    expect(READ_TOOLS.length).toBeGreaterThan(0);
    expect(READ_TOOLS.filter((tool) => tool.kind !== 'read')).toEqual([]);
    expect(READ_TOOLS.some((tool) => tool.name === 'create_ticket' || tool.name === 'bump_dependency')).toBe(false);
    expect(READ_TOOLS.map((t) => t.name).sort()).toEqual(
      [...TOOLS.values()]
        .filter((t) => t.kind === 'read')
        .map((t) => t.name)
        .sort(),
    );
  });

  it('gives every action tool at least one effect and every read tool none', () => {
    for (const tool of TOOLS.values()) {
      expect(tool.effects.length > 0, tool.name).toBe(tool.kind === 'action');
    }
  });
});
