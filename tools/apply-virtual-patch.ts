import { z } from 'zod';
import { MitigationSchema } from '../src/domain/remediation.ts';
import { defineTool, toolError } from './define-tool.ts';

export const applyVirtualPatch = defineTool({
  name: 'apply_virtual_patch',
  description:
    "Temporary mitigation on the demo estate's simulated control plane: add a virtual-patch rule for the given CVEs " +
    "to a blocking WAF whose scope includes the exposures' asset, while the real fix ships. Changes a control: " +
    'never routine. Real WAFs are changed through infrastructure-as-code change requests instead.',
  kind: 'action',
  effects: ['changes_control'],
  input: z.object({
    controlId: z.string().min(1).describe('a WAF control in scope of the asset (see list_controls)'),
    cves: z
      .array(z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'expected CVE ids'))
      .min(1)
      .max(20),
    exposureIds: z.array(z.string().min(1)).min(1),
    planId: z.string().min(1).nullish(),
  }),
  output: MitigationSchema,
  async run(input, context) {
    const exposure = await context.reader.getExposure(input.exposureIds[0]!);
    if (!exposure) return toolError(`No exposure "${input.exposureIds[0]}".`);
    const controls = await context.reader.controlsForAsset(exposure.asset.id);
    const waf = controls.find((c) => c.id === input.controlId);
    if (waf?.kind !== 'waf') {
      return toolError(
        `"${input.controlId}" is not a WAF in scope of ${exposure.asset.id}; pick one from list_controls.`,
      );
    }
    if (!waf.enabled || waf.mode !== 'block')
      return toolError(`WAF ${waf.id} is disabled or detect-only: a virtual patch there blocks nothing.`);
    if (context.dryRun) {
      return {
        id: '(dry run)',
        kind: 'waf_virtual_patch' as const,
        controlId: waf.id,
        assetId: null,
        exposureIds: input.exposureIds,
        planId: input.planId ?? context.planId ?? null,
        details: { rule: { cves: input.cves } },
        state: 'active' as const,
        simulated: true as const,
      };
    }
    if (!context.idempotencyKey)
      return toolError('apply_virtual_patch needs an idempotency key (set by the tool runner).');
    return context.controlPlane.applyVirtualPatch(
      {
        controlId: waf.id,
        cves: input.cves,
        exposureIds: input.exposureIds,
        planId: input.planId ?? context.planId ?? null,
      },
      context.idempotencyKey,
    );
  },
});
