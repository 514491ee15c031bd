import { z } from 'zod';
import { MitigationSchema } from '../src/domain/remediation.ts';
import { defineTool, toolError } from './define-tool.ts';

export const quarantineAsset = defineTool({
  name: 'quarantine_asset',
  description:
    "Temporary mitigation on the demo estate's simulated control plane: move an asset into the quarantine network " +
    'segment (no internet exposure) until it is fixed. Changes a control: never routine; disruptive for the service.',
  kind: 'action',
  effects: ['changes_control'],
  input: z.object({
    assetId: z.string().min(1),
    exposureIds: z.array(z.string().min(1)).min(1),
    planId: z.string().min(1).nullish(),
  }),
  output: MitigationSchema,
  async run(input, context) {
    const asset = await context.reader.getAsset(input.assetId);
    if (!asset) return toolError(`No asset "${input.assetId}".`);
    if (context.dryRun) {
      return {
        id: '(dry run)',
        kind: 'quarantine' as const,
        controlId: null,
        assetId: asset.id,
        exposureIds: input.exposureIds,
        planId: input.planId ?? context.planId ?? null,
        details: { network: 'quarantine', previousNetwork: asset.network ?? null },
        state: 'active' as const,
        simulated: true as const,
      };
    }
    if (!context.idempotencyKey)
      return toolError('quarantine_asset needs an idempotency key (set by the tool runner).');
    return context.controlPlane.quarantine(
      { assetId: asset.id, exposureIds: input.exposureIds, planId: input.planId ?? context.planId ?? null },
      context.idempotencyKey,
    );
  },
});
