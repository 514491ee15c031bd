import { describe, expect, expectTypeOf, it } from 'vitest';
import type { EstateReader, Notifier, ToolContext } from '../../../tools/context.ts';
import { isToolFailure } from '../../../tools/define-tool.ts';
import { type NotifyOwnerOutput, notifyOwner } from '../../../tools/notify-owner.ts';
import { unusedPorts } from '../../helpers/unused-ports.ts';

/** A hand-written context: one known exposure, and a notifier that records what it was sent. */
function context(over: Partial<ToolContext> = {}) {
  const sent: Parameters<Notifier['notify']>[0][] = [];
  const reader = {
    getExposure: async (id: string) => (id === 'exp-1' ? { id } : null),
  } as unknown as EstateReader;
  const ctx: ToolContext = {
    ...unusedPorts(),
    reader,
    tickets: { create: () => Promise.reject(new Error('tickets are not used')) },
    notifier: {
      async notify(message) {
        sent.push(message);
        return { system: 'slack', delivered: true };
      },
    },
    dryRun: false,
    idempotencyKey: 'plan-7:step-3',
    timeoutMs: 1000,
    now: () => new Date('2025-01-01T00:00:00Z'),
    ...over,
  };
  return { ctx, sent };
}

async function run(input: Record<string, unknown>, ctx: ToolContext) {
  const parsed = notifyOwner.input.safeParse(input);
  if (!parsed.success) return { invalid: [...new Set(parsed.error.issues.map((i) => i.path.join('.')))] };
  const raw = await notifyOwner.run(parsed.data, ctx);
  return isToolFailure(raw) ? raw : notifyOwner.output.parse(raw);
}

describe('notify_owner', () => {
  it('is an action that notifies, with a typed output', () => {
    expect(notifyOwner.kind).toBe('action');
    expect(notifyOwner.effects).toEqual(['notifies']);
    expectTypeOf<NotifyOwnerOutput>().toEqualTypeOf<{ system: 'slack' | 'none'; delivered: boolean }>();
  });

  it('sends the text through the notifier under the idempotency key', async () => {
    const { ctx, sent } = context();
    expect(await run({ text: 'lodash patched', exposureIds: ['exp-1'] }, ctx)).toEqual({
      system: 'slack',
      delivered: true,
    });
    expect(sent).toEqual([{ text: 'lodash patched', idempotencyKey: 'plan-7:step-3' }]);
  });

  it('sends nothing on a dry run', async () => {
    const { ctx, sent } = context({ dryRun: true, idempotencyKey: undefined });
    expect(await run({ text: 'hi', exposureIds: ['exp-1'] }, ctx)).toEqual({ system: 'none', delivered: false });
    expect(sent).toEqual([]);
  });

  it.each([
    [{ text: '', exposureIds: ['exp-1'] }, 'text'],
    [{ text: 'x'.repeat(3001), exposureIds: ['exp-1'] }, 'text'],
    [{ text: 'hi', exposureIds: [] }, 'exposureIds'],
  ])('refuses invalid input %#', async (input, field) => {
    const { ctx } = context();
    expect(await run(input, ctx)).toEqual({ invalid: [field] });
  });

  it('returns a tool error for an unknown exposure, without notifying', async () => {
    const { ctx, sent } = context();
    expect(await run({ text: 'hi', exposureIds: ['exp-1', 'exp-404'] }, ctx)).toEqual({
      isToolError: true,
      message: 'No exposure "exp-404". Ids come from get_exposure.',
    });
    expect(sent).toEqual([]);
  });
});
