import { describe, expect, it } from 'vitest';
import { assessWithEngine } from '../../../agents/control-assessor/rules.ts';
import { validateAssessment } from '../../../agents/control-assessor/validate.ts';
import type { AgentContext } from '../../../agents/define-agent.ts';
import { type ControlAssessment, ControlAssessmentSchema } from '../../../src/domain/agent-outputs.ts';
import { type Control, ControlSchema } from '../../../src/domain/control.ts';
import type { CoverageAssessment } from '../../../src/domain/priority.ts';
import type { ToolContext } from '../../../tools/context.ts';
import { coverageOf, wafContribution } from '../../helpers/prioritize.ts';

const EXPOSURE_ID = 'exp-lodash';
const ASSET_ID = 'shop-repo';

/** In scope of the asset: the WAF the engine counts, a disabled EDR and a firewall with no mapping. */
const CONTROLS: Control[] = [
  ControlSchema.parse({ id: 'waf-edge', name: 'Edge WAF', kind: 'waf', mode: 'block' }),
  ControlSchema.parse({ id: 'edr-off', name: 'EDR (paused)', kind: 'edr', mode: 'block', enabled: false }),
  ControlSchema.parse({ id: 'fw-internal', name: 'Internal firewall', kind: 'firewall', mode: 'block' }),
];

/** The engine's answer: the WAF gives full coverage; the other two are ignored, with why. */
const ENGINE: CoverageAssessment = coverageOf({
  coverage: 'full',
  reachable: 'open',
  contributions: [wafContribution('waf-edge', 'full', 'unchanged')],
  ignored: [
    { controlId: 'edr-off', reason: 'disabled' },
    { controlId: 'fw-internal', reason: 'no mapping for CWE-94' },
  ],
  effect: 'the WAF virtual patch blocks the injection',
});

/** An AgentContext whose `call` answers from canned tool outputs and records every call. */
function agentContext(engine: CoverageAssessment = ENGINE) {
  const calls: [string, unknown][] = [];
  const outputs: Record<string, unknown> = {
    assess_coverage: engine,
    list_controls: { assetId: ASSET_ID, controls: CONTROLS },
    get_exposure: { asset: { id: ASSET_ID } },
  };
  const context: AgentContext = {
    tools: {} as ToolContext,
    async call(name, args) {
      calls.push([name, args]);
      if (!(name in outputs)) throw new Error(`unexpected tool ${name}`);
      return outputs[name];
    },
    now: () => new Date('2025-01-01T00:00:00Z'),
  };
  return { context, calls };
}

function answer(over: Partial<ControlAssessment> = {}): ControlAssessment {
  return {
    exposureId: EXPOSURE_ID,
    coverage: 'full',
    reachable: 'open',
    controls: [{ controlId: 'waf-edge', coverage: 'full', reason: 'virtual patch for CWE-94' }],
    effect: 'blocked at the edge',
    confidence: 0.9,
    ...over,
  };
}

describe('assessWithEngine', () => {
  it("maps the engine's assessment into the agent's output", async () => {
    const { context, calls } = agentContext();
    const result = ControlAssessmentSchema.parse(await assessWithEngine(EXPOSURE_ID, context));
    expect(calls).toEqual([['assess_coverage', { exposureId: EXPOSURE_ID }]]);
    expect(result).toMatchObject({
      exposureId: EXPOSURE_ID,
      coverage: 'full',
      reachable: 'open',
      effect: 'the WAF virtual patch blocks the injection',
      confidence: 1,
    });
    expect(result.controls).toEqual([
      {
        controlId: 'waf-edge',
        coverage: 'full',
        reason: 'virtual patch (in scope because asset id; mapping cwe-917/waf)',
      },
    ]);
  });

  it('maps an engine that counts nothing to no controls', async () => {
    const { context } = agentContext(coverageOf());
    const result = await assessWithEngine(EXPOSURE_ID, context);
    expect([result.coverage, result.reachable, result.controls]).toEqual(['none', 'open', []]);
  });
});

describe('validateAssessment', () => {
  const validate = (output: ControlAssessment, engine?: CoverageAssessment) =>
    validateAssessment(output, EXPOSURE_ID, agentContext(engine).context);

  it("accepts the engine's own answer", async () => {
    const { context, calls } = agentContext();
    const own = await assessWithEngine(EXPOSURE_ID, context);
    expect(await validateAssessment(own, EXPOSURE_ID, context)).toEqual([]);
    expect(calls).toContainEqual(['list_controls', { assetId: ASSET_ID }]);
    expect(calls).toContainEqual(['get_exposure', { id: EXPOSURE_ID }]);
  });

  it('accepts a more cautious label', async () => {
    expect(
      await validate(
        answer({ coverage: 'partial', controls: [{ controlId: 'waf-edge', coverage: 'partial', reason: 'r' }] }),
      ),
    ).toEqual([]);
    expect(await validate(answer({ coverage: 'none' }))).toEqual([]);
    expect(await validate(answer({ coverage: 'none', controls: [] }))).toEqual([]);
  });

  it('accepts controlled reachability when the engine found it', async () => {
    const engine = coverageOf({
      coverage: 'none',
      reachable: 'controlled',
      contributions: [{ ...wafContribution('fw-internal', 'partial', 'controlled'), coverage: 'none' }],
    });
    const output = answer({
      coverage: 'none',
      reachable: 'controlled',
      controls: [{ controlId: 'fw-internal', coverage: 'none', reason: 'blocks the internet path' }],
    });
    expect(await validate(output, engine)).toEqual([]);
  });

  it('rejects more coverage than the engine found', async () => {
    const engine = coverageOf({
      coverage: 'partial',
      contributions: [wafContribution('waf-edge', 'partial', 'unchanged')],
    });
    expect(await validate(answer(), engine)).toEqual([
      'controls: "waf-edge" gives partial coverage at most, not full',
      'coverage: the evidence supports partial at most, not full',
    ]);
  });

  it('rejects a control that is not in scope of the asset', async () => {
    const output = answer({ controls: [{ controlId: 'waf-other', coverage: 'full', reason: 'r' }] });
    expect(await validate(output)).toEqual(['controls: "waf-other" is not a control in scope of asset shop-repo']);
  });

  it('rejects a disabled control', async () => {
    const output = answer({
      controls: [
        { controlId: 'waf-edge', coverage: 'full', reason: 'r' },
        { controlId: 'edr-off', coverage: 'none', reason: 'would detect the payload' },
      ],
    });
    expect(await validate(output)).toEqual(['controls: "edr-off" is disabled']);
  });

  it('rejects a control that does not counter the weakness', async () => {
    const output = answer({
      coverage: 'partial',
      controls: [{ controlId: 'fw-internal', coverage: 'partial', reason: 'a firewall helps' }],
    });
    expect(await validate(output)).toEqual([
      'controls: "fw-internal" does not counter this weakness (no mapping for CWE-94)',
    ]);
  });

  it('rejects controlled reachability without evidence', async () => {
    expect(await validate(answer({ reachable: 'controlled' }))).toEqual([
      'reachable: no control in the evidence makes the asset unreachable',
    ]);
  });

  it('rejects coverage that no listed control backs', async () => {
    expect(await validate(answer({ controls: [] }))).toEqual(['coverage: full is not backed by any listed control']);
    expect(
      await validate(
        answer({ coverage: 'partial', controls: [{ controlId: 'waf-edge', coverage: 'none', reason: 'r' }] }),
      ),
    ).toEqual(['coverage: partial is not backed by any listed control']);
  });

  it('rejects an answer about another exposure', async () => {
    expect(await validate(answer({ exposureId: 'exp-other' }))).toEqual([
      'exposureId must be exp-lodash, got exp-other',
    ]);
  });
});
