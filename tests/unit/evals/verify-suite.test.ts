import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../evals/harness/dataset.ts';
import type { CaseOutcome, EvalCase } from '../../../evals/harness/suite.ts';
import { prepareVerification, type VerifyCaseInput, verifySuite } from '../../../evals/suites/verify.ts';
import { createOpenAiChatModel } from '../../../src/graph/llm/openai-chat-model.ts';
import { type ChatBody, type OpenAiTestServer, startOpenAiTestServer } from '../../helpers/openai-test-server.ts';
import { dataBlock, scratchEnv } from './support.ts';

type VerifyCase = EvalCase<VerifyCaseInput, { outcome: 'resolved' | 'mitigated' | 'pending' | 'failed' }>;

const DATASET = path.resolve(import.meta.dirname, '../../../evals', verifySuite.dataset);

const loadCases = (): VerifyCase[] => loadDataset(verifySuite, DATASET);

/**
 * The verifier's rules back-end reports a mitigation that no longer holds (rolled back, WAF switched
 * to detect-only) as `pending`; the honest outcome is `failed` (prompts/verifier.md: "a step failed or
 * was rolled back"), because nothing protects the exposure any more. These cases stay in the dataset
 * so the gate shows the defect; remove an id here once agents/verifier/rules.ts fails such plans.
 */
const KNOWN_VERIFIER_DEFECTS: string[] = [];

describe('the verify dataset', () => {
  const cases = loadCases();

  it('has at least 30 self-contained cases with unique ids and every hard category tagged', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    const tags = new Set(cases.flatMap((c) => c.tags));
    for (const tag of [
      'wrong-target',
      'partial-fix',
      'lockfile-only',
      'lockfile-lags',
      'maven-property',
      'pep440',
      'go-pseudo-version',
      'base-image-still-vulnerable',
      'still-open-to-world',
      'rolled-back',
      'multiple-advisories',
    ]) {
      expect(tags, tag).toContain(tag);
    }
    const outcomes = new Set(cases.map((c) => c.expected.outcome));
    expect([...outcomes].sort()).toEqual(['failed', 'mitigated', 'pending', 'resolved']);
  });
});

describe('verifySuite', () => {
  const env = scratchEnv('verify-suite-');

  it('writes a real repository with the plan branch and derives the checks the way the verify node does', async () => {
    const testCase = loadCases().find((c) => c.id === 'maven-log4j-property-fixed')!;
    const prepared = await prepareVerification(testCase.input, env(), testCase.id);
    try {
      const check = prepared.input.checks[0]!;
      expect(prepared.input.checks).toHaveLength(1);
      expect(check).toMatchObject({
        tool: 'check_dependency',
        proves: 'fix',
        args: {
          assetId: 'ledger-svc',
          ecosystem: 'maven',
          package: 'org.apache.logging.log4j:log4j-core',
          ref: 'mobilize/maven-log4j-property-fixed',
          advisoryIds: ['GHSA-jfh8-c2jp-5v3q', 'GHSA-7rjr-3q55-vv33'],
        },
      });
      const asset = await prepared.double.reader.getAsset('ledger-svc');
      const dir = asset!.attributes.checkoutPath as string;
      const show = (ref: string) => execFileSync('git', ['show', `${ref}:pom.xml`], { cwd: dir, encoding: 'utf8' });
      expect(show('main')).toContain('<log4j2.version>2.14.1</log4j2.version>');
      expect(show('mobilize/maven-log4j-property-fixed')).toContain('<log4j2.version>2.17.1</log4j2.version>');
    } finally {
      await prepared.cleanup();
    }
  });

  it('scores every case on the rules back-end: all right but the documented verifier defect', async () => {
    const outcomes: CaseOutcome[] = [];
    for (const testCase of loadCases()) outcomes.push(await verifySuite.runCase(testCase, env(), undefined));
    const failed = outcomes.filter((o) => !o.passed);
    expect(failed.map((o) => o.id).sort()).toEqual(KNOWN_VERIFIER_DEFECTS);
    for (const outcome of failed) expect(outcome.failures[0]).toMatch(/^outcome pending, expected failed/);
    expect(outcomes.every((o) => o.decidedBy === 'rules' && o.violations.length === 0)).toBe(true);
    const metrics = verifySuite.metrics!(outcomes);
    expect(metrics.score).toBeCloseTo((outcomes.length - KNOWN_VERIFIER_DEFECTS.length) / outcomes.length);
    expect(metrics.overclaims).toBe(KNOWN_VERIFIER_DEFECTS.length);
  }, 300_000);

  it('names the case and field of a malformed case', async () => {
    const testCase = loadCases().find((c) => c.id === 'npm-lodash-fixed')!;
    const broken = { ...testCase.input, repository: { ...testCase.input.repository!, assetId: 'no-such-repo' } };
    await expect(prepareVerification(broken, env(), 'verify case x')).rejects.toThrow(
      'verify case x: input.repository.assetId "no-such-repo" is not one of input.assets',
    );
    const patch = loadCases().find((c) => c.id === 'mitigation-waf-virtual-patch-active')!;
    const detectOnly = {
      ...patch.input,
      controls: patch.input.controls.map((c) => ({ ...c, mode: 'detect' as const })),
    };
    await expect(prepareVerification(detectOnly, env(), 'verify case y')).rejects.toThrow(
      /verify case y: input.steps\[0\] \(apply_virtual_patch\) is declared ok but running it failed: .*detect-only/,
    );
  });

  describe('on the llm back-end (the OpenAI-compatible test double)', () => {
    let server: OpenAiTestServer;
    let answer: 'resolved' | 'failed';
    beforeAll(async () => {
      server = await startOpenAiTestServer();
      // A model that runs the checks it was given, then answers a fixed verdict whatever they say.
      server.respondWith((body: ChatBody) => {
        const last = body.messages[body.messages.length - 1]!;
        if (last.role === 'user' && !body.messages.some((m) => m.role === 'tool')) {
          const { checks } = dataBlock(body, 'plan') as { checks: { tool: string; args: object }[] };
          const calls = checks.map((c) => ({ name: c.tool, arguments: c.args }));
          if (calls.length) return { toolCalls: calls };
        }
        return { content: JSON.stringify({ outcome: answer, evidence: `the checks say ${answer}` }) };
      });
    });
    afterAll(async () => server?.close());
    const llmEnv = () =>
      env({
        backend: 'llm',
        model: createOpenAiChatModel({
          baseUrl: server.baseUrl,
          apiKey: 'sk-test',
          model: 'test-model',
          timeoutMs: 5000,
        }),
      });
    const run = (id: string) => verifySuite.runCase(loadCases().find((c) => c.id === id)!, llmEnv(), undefined);

    it('accepts a verdict the checks support and records the model as the decider', async () => {
      answer = 'resolved';
      const outcome = await run('go-release-fixes-both');
      expect(outcome).toMatchObject({ passed: true, decidedBy: 'llm:test-model', fellBack: false });
      const chats = server.requests.filter((r) => r.path === '/v1/chat/completions');
      expect((chats[0]!.body as ChatBody).tools?.map((t) => t.function.name).sort()).toEqual([
        'check_base_image',
        'check_dependency',
        'check_mitigation',
        'check_terraform',
        'get_exposure',
      ]);
    });

    it('rejects "resolved" when the checks fail, and the rules decide', async () => {
      answer = 'resolved';
      const outcome = await run('go-replace-pins-old-version');
      expect(outcome).toMatchObject({ passed: true, decidedBy: 'rules', fellBack: true });
    });

    it('scores a too-cautious model down: failed is accepted, and wrong', async () => {
      answer = 'failed';
      const outcome = await run('terraform-ssh-restricted');
      expect(outcome).toMatchObject({
        passed: false,
        decidedBy: 'llm:test-model',
        scores: { accuracy: 0, overclaim: 0 },
      });
      expect(outcome.failures[0]).toMatch(/^outcome failed, expected resolved/);
    });
  });
});
