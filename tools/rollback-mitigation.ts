import { z } from 'zod';
import { MitigationSchema } from '../src/domain/remediation.ts';
import { defineTool, toolError } from './define-tool.ts';

export const rollbackMitigation = defineTool({
  name: 'rollback_mitigation',
  description: 'Undo a temporary mitigation exactly (remove the virtual-patch rule, restore the network segment).',
  kind: 'action',
  effects: ['changes_control'],
  input: z.object({ mitigationId: z.string().min(1) }),
  output: MitigationSchema,
  async run({ mitigationId }, context) {
    const mitigation = await context.controlPlane.getMitigation(mitigationId);
    if (!mitigation) return toolError(`No mitigation "${mitigationId}".`);
    if (context.dryRun) return { ...mitigation, state: 'rolled_back' as const };
    return context.controlPlane.rollback(mitigationId);
  },
});
