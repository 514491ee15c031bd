import { z } from 'zod';
import { CoverageSchema } from '../src/domain/exposure.ts';
import { defineTool, toolError } from './define-tool.ts';

export const checkMitigation = defineTool({
  name: 'check_mitigation',
  description:
    'Re-read a mitigation and the control state: is it still active, and does the controls engine now count the ' +
    'exposure as covered (virtual patch) or unreachable (quarantine)?',
  kind: 'read',
  input: z.object({ mitigationId: z.string().min(1), exposureId: z.string().min(1) }),
  output: z.object({
    status: z.enum(['mitigated', 'not_mitigated']),
    coverage: CoverageSchema,
    reachable: z.enum(['open', 'controlled']),
    evidence: z.string(),
  }),
  async run({ mitigationId, exposureId }, context) {
    const mitigation = await context.controlPlane.getMitigation(mitigationId);
    if (!mitigation) return toolError(`No mitigation "${mitigationId}".`);
    const assessment = await context.reader.assessCoverage(exposureId);
    if (!assessment) return toolError(`No exposure "${exposureId}".`);
    const asset = mitigation.assetId ? await context.reader.getAsset(mitigation.assetId) : null;
    const isolated = mitigation.kind === 'quarantine' && asset?.internetExposure === 'isolated';
    const covered = mitigation.kind === 'waf_virtual_patch' && assessment.coverage === 'full';
    const mitigated = mitigation.state === 'active' && (covered || isolated);
    const evidence =
      mitigation.state !== 'active'
        ? `mitigation ${mitigationId} was rolled back`
        : mitigation.kind === 'quarantine'
          ? `asset ${mitigation.assetId} is ${isolated ? 'isolated in the quarantine segment' : `still ${asset?.internetExposure ?? 'unknown'}`}`
          : `controls engine: coverage ${assessment.coverage} (${assessment.effect})`;
    return {
      status: mitigated ? ('mitigated' as const) : ('not_mitigated' as const),
      coverage: assessment.coverage,
      reachable: assessment.reachable,
      evidence,
    };
  },
});
