import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_EVAL_NOW } from '../../../evals/harness/runner.ts';
import type { EvalEnv } from '../../../evals/harness/suite.ts';
import type { CoverageAssessment } from '../../../src/domain/priority.ts';
import type { ChatBody, TestReply } from '../../helpers/openai-test-server.ts';

/**
 * The env suites run cases in: the rules back-end on the harness's fixed clock (the datasets' dates
 * are written against it), with a scratch work directory made before the enclosing block's tests
 * and removed after them.
 */
export function scratchEnv(prefix: string): (over?: Partial<EvalEnv>) => EvalEnv {
  let workDir = '';
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));
  return (over = {}) => ({ backend: 'rules', now: DEFAULT_EVAL_NOW, workDir, ...over });
}

/** The JSON inside the untrusted-data block labelled `label` of the request's user message. */
export function dataBlock(body: ChatBody, label: string): unknown {
  const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const match = new RegExp(`<untrusted-data label="${label}">\\n([\\s\\S]*?)\\n</untrusted-data>`).exec(user);
  if (!match) throw new Error(`no ${label} block in the request`);
  return JSON.parse(match[1]!);
}

/**
 * A behaving control assessor: it asks assess_coverage for the engine's evidence, then answers
 * with exactly the controls the evidence counts (and, being cautious, a confidence below 1).
 */
export function behavingAssessor(body: ChatBody): TestReply {
  const last = body.messages[body.messages.length - 1]!;
  const { id } = dataBlock(body, 'exposure') as { id: string };
  if (last.role !== 'tool') return { toolCalls: [{ name: 'assess_coverage', arguments: { exposureId: id } }] };
  const engine = JSON.parse(last.content ?? '{}') as CoverageAssessment;
  return {
    content: JSON.stringify({
      exposureId: id,
      coverage: engine.coverage,
      reachable: engine.reachable,
      controls: engine.contributions.map((c) => ({ controlId: c.controlId, coverage: c.coverage, reason: c.reason })),
      effect: engine.effect,
      confidence: 0.8,
    }),
  };
}
