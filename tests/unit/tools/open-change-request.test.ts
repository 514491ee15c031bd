import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Asset, AssetSchema } from '../../../src/domain/asset.ts';
import type { ChangeRequest, NewChangeRequest } from '../../../src/domain/remediation.ts';
import type { EstateReader, ToolContext } from '../../../tools/context.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { type OpenChangeRequestOutput, openChangeRequest } from '../../../tools/open-change-request.ts';
import { unusedPorts } from '../../helpers/unused-ports.ts';

const assets: Asset[] = [
  AssetSchema.parse({
    id: 'repo-shop',
    name: 'shop',
    kind: 'repository',
    identifiers: [{ kind: 'repository_url', value: 'https://github.com/acme/shop' }],
  }),
  AssetSchema.parse({ id: 'web-1', name: 'web-1', kind: 'host' }),
];

/** A hand-written context: the reader knows two assets; the forge records what it was asked. */
function context(over: Partial<ToolContext> = {}) {
  const opened: { request: NewChangeRequest; key: string }[] = [];
  const reader = {
    getAsset: async (id: string) => assets.find((asset) => asset.id === id) ?? null,
  } as unknown as EstateReader;
  const ctx: ToolContext = {
    ...unusedPorts(),
    reader,
    tickets: { create: () => Promise.reject(new Error('tickets are not used')) },
    forge: {
      closeChangeRequest: () => Promise.reject(new Error('closing is not used')),
      async openChangeRequest(request, key): Promise<ChangeRequest> {
        opened.push({ request, key });
        return {
          id: 'cr_1',
          system: 'github',
          externalId: '12',
          url: 'https://github.com/acme/shop/pull/12',
          assetId: request.assetId,
          planId: request.planId,
          branch: request.branch,
          base: request.base,
          title: request.title,
          state: 'open',
        };
      },
    },
    dryRun: false,
    idempotencyKey: 'plan-7:step-2',
    planId: 'plan-7',
    timeoutMs: 1000,
    now: () => new Date('2025-01-01T00:00:00Z'),
    ...over,
  };
  return { ctx, opened };
}

async function run(input: Record<string, unknown>, ctx: ToolContext) {
  const parsed = openChangeRequest.input.safeParse(input);
  if (!parsed.success) return { invalid: [...new Set(parsed.error.issues.map((i) => i.path.join('.')))] };
  const raw = await openChangeRequest.run(parsed.data, ctx);
  return isToolFailure(raw) ? raw : openChangeRequest.output.parse(raw);
}

const valid = { assetId: 'repo-shop', branch: 'mobilize/plan-7', title: 'Bump lodash to 4.17.21', body: 'Fixes X' };

describe('open_change_request', () => {
  it('is an action that opens change requests, with typed input and output', () => {
    expect(openChangeRequest.kind).toBe('action');
    expect(openChangeRequest.effects).toEqual(['opens_change_request']);
    expectTypeOf<OpenChangeRequestOutput['system']>().toEqualTypeOf<'github' | 'local'>();
    expectTypeOf<OpenChangeRequestOutput['repositoryUrl']>().toEqualTypeOf<string | null>();
    expect(openChangeRequest.inputJsonSchema()).toMatchObject({ required: expect.arrayContaining(['branch']) });
  });

  it('opens the change request through the forge with the asset repository URL and the plan', async () => {
    const { ctx, opened } = context();
    const output = await run(valid, ctx);
    expect(output).toMatchObject({ id: 'cr_1', system: 'github', url: 'https://github.com/acme/shop/pull/12' });
    expect(output).toMatchObject({ repositoryUrl: 'https://github.com/acme/shop' });
    expect(opened).toEqual([
      {
        key: 'plan-7:step-2',
        request: {
          assetId: 'repo-shop',
          repositoryUrl: 'https://github.com/acme/shop',
          branch: 'mobilize/plan-7',
          base: 'main',
          title: 'Bump lodash to 4.17.21',
          body: 'Fixes X',
          planId: 'plan-7',
          checkoutPath: null,
        },
      },
    ]);
  });

  it('returns what it would open on a dry run, without calling the forge', async () => {
    const { ctx, opened } = context({ dryRun: true, idempotencyKey: undefined });
    const output = await run({ ...valid, base: 'develop', planId: 'plan-9' }, ctx);
    expect(output).toEqual({
      id: '(dry run)',
      system: 'local',
      externalId: null,
      url: null,
      assetId: 'repo-shop',
      planId: 'plan-9',
      branch: 'mobilize/plan-7',
      base: 'develop',
      title: 'Bump lodash to 4.17.21',
      state: 'open',
      repositoryUrl: 'https://github.com/acme/shop',
    });
    expect(opened).toEqual([]);
  });

  it.each([
    [{ ...valid, branch: 'main' }, 'branch'],
    [{ ...valid, branch: 'mobilize/../x' }, 'branch'],
    [{ ...valid, title: '' }, 'title'],
    [{ ...valid, assetId: undefined }, 'assetId'],
  ])('refuses invalid input %#', async (input, field) => {
    const { ctx } = context();
    expect(await run(input, ctx)).toEqual({ invalid: [field] });
  });

  it.each([
    ['nope', /^No asset "nope"/],
    ['web-1', /^Asset "web-1" is a host, not a repository/],
  ])('returns a tool error for asset %s', async (assetId, message) => {
    const { ctx, opened } = context();
    const output = await run({ ...valid, assetId }, ctx);
    expect(isToolFailure(output)).toBe(true);
    expect((output as { message: string }).message).toMatch(message);
    expect(opened).toEqual([]);
  });

  it('returns a tool error without an idempotency key', async () => {
    const { ctx } = context({ idempotencyKey: undefined });
    expect(await run(valid, ctx)).toMatchObject({ isToolError: true, message: expect.stringMatching(/idempotency/) });
  });
});
