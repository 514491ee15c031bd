import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoverageEngine, realCoverageEngine } from '../../../evals/harness/case-estate.ts';
import { loadDataset } from '../../../evals/harness/dataset.ts';
import { formatReport } from '../../../evals/harness/report.ts';
import { EVALS_DIR, runSuites } from '../../../evals/harness/runner.ts';
import { loadThresholds } from '../../../evals/harness/thresholds.ts';
import {
  type ControlsExpected,
  ControlsInputSchema,
  controlsMetrics,
  controlsSuite,
  createControlsSuite,
  scoreAssessment,
  setF1,
} from '../../../evals/suites/controls.ts';
import type { ControlAssessment } from '../../../src/domain/agent-outputs.ts';
import { createOpenAiChatModel } from '../../../src/graph/llm/openai-chat-model.ts';
import { type ChatBody, type OpenAiTestServer, startOpenAiTestServer } from '../../helpers/openai-test-server.ts';
import { behavingAssessor } from './support.ts';

const DATASET = path.join(EVALS_DIR, 'datasets/controls.jsonl');
/** Each run boots an embedded database; on a busy 2-core machine that alone can take tens of seconds. */
const RUN_TIMEOUT = 300_000;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-evals-controls-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const allLines = fs
  .readFileSync(DATASET, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');

/** A dataset of the shipped cases that `keep` selects, written to a scratch file. */
function subset(name: string, keep: (c: { id: string; tags: string[] }) => boolean): string {
  const lines = allLines.filter((line) => keep(JSON.parse(line)));
  const file = path.join(scratch, `${name}.jsonl`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * The deliberately broken rule: a control in detect mode is treated as if it blocked, so a
 * detect-only WAF virtual patch becomes full coverage and a logging firewall fences the asset.
 */
const detectCountsAsBlock: CoverageEngine = (input) =>
  realCoverageEngine({
    ...input,
    controls: input.controls.map((control) => (control.mode === 'detect' ? { ...control, mode: 'block' } : control)),
  });

describe('the controls dataset', () => {
  it('has at least 30 valid cases from varied estates, with the hard ones tagged', () => {
    const cases = loadDataset(controlsSuite, DATASET);
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const tags = new Set(cases.flatMap((c) => c.tags));
    for (const tag of [
      'detect-only',
      'stale-control',
      'out-of-scope',
      'disabled',
      'partial-waf',
      'multiple-controls',
    ]) {
      expect(tags, tag).toContain(tag);
    }
    const labels = cases.map((c) => (c.expected as ControlsExpected).coverage);
    for (const label of ['full', 'partial', 'none'] as const) expect(labels).toContain(label);
    const kinds = new Set(cases.map((c) => ControlsInputSchema.parse(c.input).exposure.kind));
    expect([...kinds].sort()).toEqual(['cloud', 'code', 'misconfiguration', 'package', 'secret']);
  });
});

describe('scoring', () => {
  const input = ControlsInputSchema.parse({
    asset: { id: 'web', name: 'web', kind: 'host' },
    controls: [
      { id: 'waf', name: 'WAF', kind: 'waf', mode: 'block' },
      { id: 'edr', name: 'EDR', kind: 'edr', mode: 'block' },
      { id: 'fw', name: 'FW', kind: 'firewall', mode: 'block' },
    ],
    exposure: { id: 'exp-1', vulnerabilityId: 'CVE-2021-44228' },
  });
  const answer = (over: Partial<ControlAssessment>): ControlAssessment => ({
    exposureId: 'exp-1',
    coverage: 'partial',
    reachable: 'open',
    controls: [],
    effect: 'e',
    confidence: 1,
    ...over,
  });
  const expected: ControlsExpected = { coverage: 'partial', controls: ['waf', 'edr'], reachable: 'controlled' };

  it('scores the label, the contributing set (F1) and reachability, and names what differs', () => {
    const result = scoreAssessment(
      answer({
        coverage: 'full',
        controls: [
          { controlId: 'waf', coverage: 'full', reason: 'r' },
          { controlId: 'fw', coverage: 'partial', reason: 'r' },
          { controlId: 'edr', coverage: 'none', reason: 'mentioned, not credited' },
        ],
      }),
      expected,
      input,
    );
    expect(result.passed).toBe(false);
    expect(result.scores).toEqual({ label: 0, f1: 0.5, overclaim: 1, reachable: 0 });
    expect(result.failures).toEqual([
      'coverage: expected partial, got full (overclaim)',
      'controls: missing edr',
      'controls: not expected fw',
      'reachable: expected controlled, got open',
    ]);
  });

  it('passes an exact answer and flags an expected control the case does not have', () => {
    const exact = answer({
      reachable: 'controlled',
      controls: [
        { controlId: 'edr', coverage: 'partial', reason: 'r' },
        { controlId: 'waf', coverage: 'partial', reason: 'r' },
        { controlId: 'fw', coverage: 'none', reason: 'fences the asset' },
      ],
    });
    expect(scoreAssessment(exact, expected, input)).toMatchObject({ passed: true, failures: [] });
    expect(scoreAssessment(exact, { ...expected, controls: ['waf', 'edr', 'ghost'] }, input).failures).toContain(
      'dataset: expected control "ghost" is not among the case\'s controls',
    );
  });

  it('computes F1 and suite metrics, counting a case that threw as wrong', () => {
    expect(setF1(new Set(), new Set())).toBe(1);
    expect(setF1(new Set(['a']), new Set())).toBe(0);
    expect(setF1(new Set(['a', 'b']), new Set(['a']))).toBeCloseTo(2 / 3);
    const outcome = (scores: Record<string, number>) => ({
      id: 'x',
      tags: [],
      passed: false,
      scores,
      violations: [],
      failures: [],
      decidedBy: 'rules',
    });
    expect(
      controlsMetrics([
        outcome({ label: 1, f1: 1, overclaim: 0, reachable: 1 }),
        outcome({ label: 0, f1: 0.5, overclaim: 1 }),
        outcome({}),
      ]),
    ).toEqual({ score: 1 / 3, controlF1: 0.5, overclaims: 1, reachableAccuracy: 1 });
  });
});

describe('the gate catches a broken controls rule', () => {
  const thresholds = loadThresholds();
  const detectOnly = subset('detect-only', (c) => c.tags.includes('detect-only'));

  it(
    'fails the gate, naming the suite, when detect-only controls count as blocking',
    async () => {
      const report = await runSuites({
        suites: [createControlsSuite({ engine: detectCountsAsBlock })],
        backend: 'rules',
        datasetOverride: detectOnly,
        thresholds,
      });
      expect(report.gate.passed).toBe(false);
      expect(report.gate.failures).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^controls: score 0\.\d+ is not >= 1 /),
          expect.stringMatching(/^controls: overclaims [1-9]\d* is not <= 0 /),
        ]),
      );
      const failed = report.suites[0]!.outcomes.filter((o) => !o.passed).map((o) => o.id);
      expect(failed).toEqual(
        expect.arrayContaining([
          'log4shell-waf-virtual-patch-detect-mode',
          'panos-threat-signature-alert-only',
          'jquery-xss-waf-detect-mode',
          'activemq-firewall-in-detect-mode',
        ]),
      );
      // Detection rules stay detect-only whatever their inventory mode: the broken rule does not touch them.
      expect(failed).not.toContain('log4shell-detection-rule-names-cve');
      expect(formatReport(report)).toMatch(/controls +rules +\d+ +0\.\d+ +\d+ +0 +FAIL/);
    },
    RUN_TIMEOUT,
  );

  it(
    'passes the same cases with the real engine',
    async () => {
      const report = await runSuites({
        suites: [controlsSuite],
        backend: 'rules',
        datasetOverride: detectOnly,
        thresholds,
      });
      expect(report.suites[0]!.outcomes.filter((o) => !o.passed)).toEqual([]);
      expect(report.gate).toEqual({ passed: true, failures: [] });
    },
    RUN_TIMEOUT,
  );
});

describe('the llm back-end against an OpenAI-compatible test server', () => {
  let server: OpenAiTestServer;
  const thresholds = loadThresholds();
  const three = subset('llm', (c) =>
    [
      'log4shell-waf-virtual-patch',
      'activemq-firewall-and-edr',
      'jsonwebtoken-auth-bypass-without-cvss-vector',
    ].includes(c.id),
  );
  beforeAll(async () => {
    server = await startOpenAiTestServer();
  });
  afterAll(() => server.close());

  const model = () => createOpenAiChatModel({ baseUrl: server.baseUrl, model: 'eval-test-model', timeoutMs: 10_000 });

  it(
    'records llm:<model> as the decider of each case the model answered',
    async () => {
      server.reset();
      server.respondWith(behavingAssessor);
      const report = await runSuites({
        suites: [controlsSuite],
        backend: 'llm',
        model: model(),
        datasetOverride: three,
        thresholds,
      });
      const suite = report.suites[0]!;
      expect(report.model).toBe('eval-test-model');
      expect(suite.backend).toBe('llm:eval-test-model');
      expect(suite.outcomes.map((o) => [o.id, o.decidedBy, o.fellBack, o.passed])).toEqual([
        ['log4shell-waf-virtual-patch', 'llm:eval-test-model', false, true],
        ['activemq-firewall-and-edr', 'llm:eval-test-model', false, true],
        ['jsonwebtoken-auth-bypass-without-cvss-vector', 'llm:eval-test-model', false, true],
      ]);
      expect(suite).toMatchObject({ decidedBy: { 'llm:eval-test-model': 3 }, fellBack: 0 });
      expect(report.gate.passed).toBe(true);
      const chats = server.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as ChatBody);
      expect(chats).toHaveLength(6);
      expect(chats.every((body) => body.model === 'eval-test-model')).toBe(true);
      expect(chats[0]!.response_format?.json_schema?.name).toBe('control-assessor');
      expect(chats[0]!.tools?.map((t) => t.function.name).sort()).toEqual([
        'assess_coverage',
        'get_exposure',
        'list_controls',
      ]);
    },
    RUN_TIMEOUT,
  );

  it(
    'records the fallback to the rules when the server answers garbage',
    async () => {
      server.reset();
      server.respondWith(() => ({ content: 'The WAF surely covers this, trust me.' }));
      const prose = await runSuites({
        suites: [controlsSuite],
        backend: 'llm',
        model: model(),
        datasetOverride: three,
        thresholds,
      });
      expect(prose.suites[0]!.outcomes.map((o) => [o.decidedBy, o.fellBack])).toEqual([
        ['rules', true],
        ['rules', true],
        ['rules', true],
      ]);
      expect(prose.suites[0]).toMatchObject({ fellBack: 3, decidedBy: { rules: 3 } });
      expect(formatReport(prose)).toContain('llm:eval-test-model (3 fell back)');

      server.reset();
      server.respondWith(() => ({ status: 200, body: '<html>bad gateway</html>', contentType: 'text/html' }));
      const broken = await runSuites({
        suites: [controlsSuite],
        backend: 'llm',
        model: model(),
        datasetOverride: three,
        thresholds,
      });
      expect(broken.suites[0]!.outcomes.every((o) => o.decidedBy === 'rules' && o.fellBack && o.passed)).toBe(true);
    },
    RUN_TIMEOUT,
  );
});
