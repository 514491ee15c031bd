import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeAdvisory } from '../../../agents/summarizer/rules.ts';
import { loadDataset } from '../../../evals/harness/dataset.ts';
import type { CaseOutcome, EvalCase, EvalEnv } from '../../../evals/harness/suite.ts';
import { type SummarizeExpected, type SummarizeInputSchema, summarizeSuite } from '../../../evals/suites/summarize.ts';
import {
  canonicalRange,
  judgeSummary,
  kevClaim,
  type SummaryVerdict,
  versionTokens,
} from '../../../evals/suites/summarize-check.ts';
import type { AdvisorySummary } from '../../../src/domain/advisory-summary.ts';
import { FakeModel } from '../../helpers/fake-model.ts';

type SummarizeCase = EvalCase<ReturnType<typeof SummarizeInputSchema.parse>, SummarizeExpected>;

const DATASET = path.resolve(import.meta.dirname, '../../../evals', summarizeSuite.dataset);

/** The dataset read with the suite's own schemas; a bad line fails naming its line and field. */
const loadCases = (): SummarizeCase[] => loadDataset(summarizeSuite, DATASET);

const ENV: EvalEnv = { backend: 'rules', now: new Date('2026-11-01T00:00:00Z'), workDir: os.tmpdir() };

const cases = loadCases();
function caseOf(id: string): SummarizeCase {
  const found = cases.find((c) => c.id === id);
  if (!found) throw new Error(`no case ${id} in the dataset`);
  return found;
}

/** The rules summary of a case, and a judge of any edited copy of it. */
function fixture(id: string) {
  const testCase = caseOf(id);
  const { advisory } = testCase.input;
  return {
    good: (): AdvisorySummary => structuredClone(summarizeAdvisory(advisory)),
    judge: (summary: AdvisorySummary): SummaryVerdict => judgeSummary(summary, advisory, testCase.expected),
  };
}

const failuresOf = (verdict: SummaryVerdict) => Object.values(verdict).flat();

describe('summarize dataset', () => {
  it('holds at least 30 self-contained cases with unique ids', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it('tags the hard kinds of advisory', () => {
    const tags = new Set(cases.flatMap((c) => c.tags));
    for (const tag of [
      'multiple-ranges',
      'multiple-packages',
      'multiple-ecosystems',
      'no-fix',
      'withdrawn',
      'maven-qualifier',
      'pep440-prerelease',
      'semver-prerelease',
      'go-pseudo-version',
      'hotfix-versions',
      'kev',
      'high-epss',
      'misleading-prose',
    ]) {
      expect(tags, tag).toContain(tag);
    }
    // The KEV-listed, high-EPSS cases are real ones: Log4Shell and HTTP/2 Rapid Reset.
    const kevHighEpss = cases.filter((c) => c.tags.includes('kev') && c.tags.includes('high-epss'));
    expect(kevHighEpss.map((c) => c.input.advisory.aliases.concat(c.input.advisory.id))).toEqual(
      expect.arrayContaining([expect.arrayContaining(['CVE-2021-44228']), expect.arrayContaining(['CVE-2023-44487'])]),
    );
  });

  it('expects for each case exactly the exploitation facts its advisory carries', () => {
    for (const { id, input, expected } of cases) {
      const { kev, epss } = input.advisory;
      expect(expected.exploitation.kev, id).toBe(Boolean(kev));
      expect(expected.exploitation.epss === null, id).toBe(!epss);
    }
  });
});

describe('summarize suite on the rules back-end', () => {
  let outcomes: CaseOutcome[] = [];
  beforeAll(async () => {
    outcomes = [];
    for (const testCase of cases) outcomes.push(await summarizeSuite.runCase(testCase, ENV, undefined));
  });

  it('passes every case, decided by the rules', () => {
    const failed = outcomes.filter((outcome) => !outcome.passed).map((o) => `${o.id}: ${o.failures.join('; ')}`);
    expect(failed).toEqual([]);
    expect(new Set(outcomes.map((outcome) => outcome.decidedBy))).toEqual(new Set(['rules']));
  });

  it('scores 1.0 with no invented facts and no fallback', () => {
    expect(summarizeSuite.metrics!(outcomes)).toEqual({
      score: 1,
      inventedFacts: 0,
      rangeAccuracy: 1,
      fixedAccuracy: 1,
      exploitationAccuracy: 1,
      fallbacks: 0,
    });
  });

  it('refuses a case whose expectation names a package the advisory lacks', async () => {
    const testCase = structuredClone(caseOf('lodash-command-injection'));
    testCase.expected.packages.push({ ecosystem: 'npm', package: 'lodash.template', ranges: [], fixed: [] });
    await expect(summarizeSuite.runCase(testCase, ENV, undefined)).rejects.toThrow(
      /case lodash-command-injection: .*not in the advisory: npm\/lodash\.template/,
    );
  });
});

describe('the summarize checker catches wrong summaries', () => {
  it('accepts the rules summary and equivalent wordings of its ranges', () => {
    const { good, judge } = fixture('log4j-incomplete-fix');
    expect(failuresOf(judge(good()))).toEqual([]);
    const reworded = good();
    reworded.affected[0]!.vulnerableRanges = ['>=2.13.0, <2.16.0', 'before 2.12.2'];
    expect(failuresOf(judge(reworded))).toEqual([]);
  });

  it('catches a version taken from the prose that the data does not hold (Log4j 2.15.0)', () => {
    const { good, judge } = fixture('log4j-incomplete-fix');
    const summary = good();
    summary.text += ' Log4j 2.15.0 fixes this.';
    const verdict = judge(summary);
    expect(verdict.invented).toEqual(['text mentions version "2.15.0", which is not in the advisory\'s version data']);
    expect(failuresOf(verdict)).toHaveLength(1);
  });

  it('catches a CVE id that is neither the advisory id nor an alias', () => {
    const { good, judge } = fixture('log4j-incomplete-fix');
    const summary = good();
    summary.headline = 'Incomplete fix for CVE-2021-44228 in log4j-core';
    expect(judge(summary).invented).toEqual([
      'headline names CVE-2021-44228, which is neither the advisory id nor one of its aliases',
    ]);
  });

  it('catches ids from the references or the prose of a withdrawn duplicate', () => {
    const { good, judge } = fixture('web3-utils-withdrawn-duplicate');
    const summary = good();
    summary.text += ' Also tracked as CVE-2024-21505 and GHSA-2g4c-8fpm-c46v.';
    expect(judge(summary).invented).toEqual([
      'text names CVE-2024-21505, which is neither the advisory id nor one of its aliases',
      'text names GHSA-2G4C-8FPM-C46V, which is neither the advisory id nor one of its aliases',
    ]);
    const listed = good();
    listed.cveIds = ['CVE-2024-21505'];
    expect(judge(listed).ids).toEqual(['cveIds lists CVE-2024-21505, expected only none']);
  });

  it('catches a Maven qualifier dropped from a fixed version (5.2.20 for 5.2.20.RELEASE)', () => {
    const { good, judge } = fixture('spring4shell-ghsa');
    const summary = good();
    summary.recommendedAction = summary.recommendedAction.replaceAll('5.2.20.RELEASE', '5.2.20');
    const verdict = judge(summary);
    expect(verdict.invented).toEqual([
      'recommendedAction mentions version "5.2.20", which is not in the advisory\'s version data',
    ]);
    expect(verdict.fixed).toEqual([
      'maven/org.springframework:spring-beans: recommendedAction does not name 5.2.20.RELEASE',
      'maven/org.springframework:spring-webmvc: recommendedAction does not name 5.2.20.RELEASE',
      'maven/org.springframework:spring-webflux: recommendedAction does not name 5.2.20.RELEASE',
    ]);
  });

  it('accepts a Go version written with its "v", but not the Go toolchain versions of the prose', () => {
    const { good, judge } = fixture('x-net-go-pseudo-version');
    const summary = good();
    summary.text += ' Update to v0.0.0-20220906165146-f3363e06e74c.';
    expect(failuresOf(judge(summary))).toEqual([]);
    summary.text += ' Go 1.19.1 also fixes it.';
    expect(judge(summary).invented).toEqual([
      'text mentions version "1.19.1", which is not in the advisory\'s version data',
    ]);
  });

  it('catches a missing fixed version and a merged range', () => {
    const { good, judge } = fixture('log4j-incomplete-fix');
    const summary = good();
    summary.affected[0]!.fixedVersions = ['2.16.0'];
    summary.affected[0]!.vulnerableRanges = ['< 2.16.0'];
    const verdict = judge(summary);
    expect(verdict.fixed).toEqual(['maven/org.apache.logging.log4j:log4j-core: fixedVersions lacks 2.12.2']);
    expect(verdict.ranges).toEqual([
      'maven/org.apache.logging.log4j:log4j-core: the summary does not state the range(s) >=2.13.0 <2.16.0, <2.12.2',
      'maven/org.apache.logging.log4j:log4j-core: the summary states range(s) <2.16.0 the data does not hold',
    ]);
  });

  it('catches a range it cannot read and a package the advisory does not list', () => {
    const { good, judge } = fixture('lodash-command-injection');
    const summary = good();
    summary.affected[0]!.vulnerableRanges = ['most versions'];
    summary.affected.push({ ecosystem: 'npm', package: 'lodash.template', vulnerableRanges: [], fixedVersions: [] });
    expect(judge(summary).ranges).toEqual([
      'affected[2] is npm/lodash.template, which the advisory does not list',
      'affected[0].vulnerableRanges[0] "most versions" does not read as a version range',
      'npm/lodash: the summary does not state the range(s) <4.17.21',
    ]);
  });

  it('catches an action that hides that some packages have no fix', () => {
    const { good, judge } = fixture('lodash-redos-partial-fix');
    const summary = good();
    summary.recommendedAction = 'Upgrade lodash and lodash-es to 4.17.21 or later.';
    expect(judge(summary).fixed).toEqual([
      'npm/lodash.trimend has no fixed version, but recommendedAction does not say so',
      'npm/lodash.trim has no fixed version, but recommendedAction does not say so',
    ]);
  });

  it('catches a wrong KEV status, in the field and in the sentence', () => {
    const { good, judge } = fixture('log4shell-ghsa');
    const denied = good();
    denied.exploitation.kev = false;
    denied.exploitation.summary = 'Not in CISA KEV; EPSS 0.94 (100th percentile).';
    expect(judge(denied).exploitation).toEqual([
      'exploitation.kev is false, expected true',
      'exploitation.summary reads as KEV not-listed',
    ]);
    const silent = good();
    silent.exploitation.summary = 'EPSS 0.94 (100th percentile): exploitation likely.';
    expect(judge(silent).exploitation).toEqual(['exploitation.summary says nothing about KEV']);

    const notListed = fixture('text4shell');
    const claimed = notListed.good();
    claimed.exploitation.summary = 'Listed in CISA KEV; no EPSS score.';
    expect(notListed.judge(claimed).exploitation).toEqual(['exploitation.summary reads as KEV listed']);
  });

  it('catches a wrong or unquoted EPSS score, and an EPSS claim without data', () => {
    const { good, judge } = fixture('jsonwebtoken-default-algorithm');
    const wrong = good();
    wrong.exploitation.epss = 0.46;
    wrong.exploitation.summary = 'Not in CISA KEV; EPSS 0.46: exploitation possible.';
    expect(judge(wrong).exploitation).toEqual([
      'exploitation.epss is 0.46, expected 0.00046',
      'exploitation.summary quotes neither the EPSS score nor its percentile',
    ]);
    // 0.46 is no score of this advisory, so the invention check flags it too.
    expect(judge(wrong).invented).toEqual([
      'exploitation.summary mentions version "0.46", which is not in the advisory\'s version data',
    ]);

    const none = fixture('text4shell');
    const claimed = none.good();
    claimed.exploitation.epss = 0.2;
    claimed.exploitation.summary = 'Not in CISA KEV; EPSS 0.20.';
    expect(none.judge(claimed).exploitation).toEqual([
      'exploitation.epss is 0.2, but the advisory has no EPSS score',
      'exploitation.summary does not say there is no EPSS score',
    ]);
  });

  it('judges an EPSS band when the case expects one', () => {
    const { good, judge } = fixture('spring-expression-dos');
    expect(failuresOf(judge(good()))).toEqual([]);
    const summary = good();
    summary.exploitation.epss = 0.6;
    expect(judge(summary).exploitation).toEqual(['exploitation.epss 0.6 is in the high band, expected medium']);
  });

  it('catches a required phrase left out (the KEV due date)', () => {
    const { good, judge } = fixture('log4shell-ghsa');
    const summary = good();
    summary.recommendedAction = summary.recommendedAction.replace(/; KEV: remediate by [^.;]+/, '');
    summary.text = summary.text.replace(/; KEV: remediate by [^.;]+/, '');
    expect(judge(summary).phrases).toEqual(['the summary does not mention "2021-12-24"']);
  });
});

describe('summarize checker pieces', () => {
  it('reads ranges however they are worded, keeping versions exact', () => {
    const table: [string, string | null][] = [
      ['>= 2.0.0 < 2.0.3', '>=2.0.0 <2.0.3'],
      ['>=2.0.0, <2.0.3', '>=2.0.0 <2.0.3'],
      ['from 2.0.0 before 2.0.3', '>=2.0.0 <2.0.3'],
      ['< 4.17.21', '<4.17.21'],
      ['prior to 5.2.20.RELEASE', '<5.2.20.RELEASE'],
      ['<= 4.5.1', '<=4.5.1'],
      ['up to and including 2.88.2', '<=2.88.2'],
      ['>= 1.2', '>=1.2'],
      ['1.2 and later', '>=1.2'],
      ['>= 0 < 1.0.0', '<1.0.0'],
      ['all versions', '*'],
      ['1.0.0', '=1.0.0'],
      ['v0.17.0', '=0.17.0'],
      ['< 0.0.0-20220906165146-f3363e06e74c', '<0.0.0-20220906165146-f3363e06e74c'],
      ['>= 5.0.0-alpha.1 < 5.0.0-beta.3', '>=5.0.0-alpha.1 <5.0.0-beta.3'],
      ['most versions', null],
      ['< 1.0 < 2.0', null],
      ['>= 1.0 or 2.0', null],
    ];
    for (const [text, canonical] of table) expect(canonicalRange(text), text).toBe(canonical);
  });

  it('finds version tokens with their qualifiers, and none inside names', () => {
    expect(
      versionTokens(
        'Upgrade to 5.2.20.RELEASE, 2.0-beta9, 22.4.0rc1, 10.2.9-h1, v0.17.0 or 4.17.21. log4j-1.2-api and jackson2.13 stay.',
      ),
    ).toEqual(['5.2.20.RELEASE', '2.0-beta9', '22.4.0rc1', '10.2.9-h1', '0.17.0', '4.17.21']);
  });

  it('reads what the exploitation sentence says about KEV', () => {
    expect(kevClaim('Listed in CISA KEV since 2021-12-10; no EPSS score.')).toBe('listed');
    expect(kevClaim('Not in CISA KEV; EPSS 0.94 (99th percentile).')).toBe('not-listed');
    expect(kevClaim('It is not listed in the Known Exploited Vulnerabilities catalog.')).toBe('not-listed');
    expect(kevClaim('EPSS 0.01.')).toBe('silent');
  });
});

describe('summarize suite on the llm back-end (scripted model)', () => {
  const llmEnv = (model: FakeModel): EvalEnv => ({ ...ENV, backend: 'llm', model });

  it('records the model as the decider of an accepted, correct summary', async () => {
    const testCase = caseOf('ws-many-headers');
    const answer = summarizeAdvisory(testCase.input.advisory);
    answer.headline = 'ws: a request with many HTTP headers crashes the server';
    const model = new FakeModel([{ content: JSON.stringify(answer) }], 'scripted');
    const outcome = await summarizeSuite.runCase(testCase, llmEnv(model), undefined);
    expect(outcome).toMatchObject({ passed: true, decidedBy: 'llm:scripted', fellBack: false, failures: [] });
  });

  it('fails an accepted summary whose sentence claims a KEV listing the data lacks', async () => {
    // The summarizer's own validator checks the kev field, not the wording: the eval reads both.
    const testCase = caseOf('text4shell');
    const answer = summarizeAdvisory(testCase.input.advisory);
    answer.exploitation.summary = 'Listed in CISA KEV and actively exploited; no EPSS score.';
    const model = new FakeModel([{ content: JSON.stringify(answer) }], 'scripted');
    const outcome = await summarizeSuite.runCase(testCase, llmEnv(model), undefined);
    expect(outcome).toMatchObject({ passed: false, decidedBy: 'llm:scripted', scores: { exploitation: 0 } });
    expect(outcome.failures).toEqual(['exploitation.summary reads as KEV listed']);
  });

  it('counts a model whose invented fixed version is rejected twice as a fallback to the rules', async () => {
    const testCase = caseOf('semver-redos');
    const answer = summarizeAdvisory(testCase.input.advisory);
    answer.affected[0]!.fixedVersions.push('7.6.0');
    const model = new FakeModel([{ content: JSON.stringify(answer) }, { content: JSON.stringify(answer) }], 'scripted');
    const outcome = await summarizeSuite.runCase(testCase, llmEnv(model), undefined);
    expect(outcome).toMatchObject({ passed: true, decidedBy: 'rules', fellBack: true });
    expect(model.remaining).toBe(0);
    expect(summarizeSuite.metrics!([outcome])).toMatchObject({ score: 1, fallbacks: 1, inventedFacts: 0 });
  });
});
