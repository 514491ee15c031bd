/** Latency of the natural-language ask service (rules back-end) on analysts' questions. */
import { EXAMPLE_QUESTIONS } from '../src/ask/parse.ts';
import { createAskService } from '../src/ask/service.ts';
import type { Database } from '../src/db/database.ts';
import type { Policy } from '../src/prioritize/policy.ts';
import { type LatencySummary, type Measured, measureSequential, summarizeLatencies } from './latency.ts';

/** Questions analysts ask, over every kind of read: filters, counts, trends, advisories, similarity. */
export function askQuestions(assetId: string): string[] {
  return [
    ...EXAMPLE_QUESTIONS.slice(0, 6),
    `show open exposures on ${assetId}`,
    'which teams have the most overdue Act exposures',
    'list known-exploited vulnerabilities in production with EPSS above 0.5',
    'how did the risk-weighted backlog change over the last 30 days',
    'which exposures are only partially covered by compensating controls',
    'what is waiting for approval',
    'how many exposures are in the triage queue',
    'which staging assets are affected by Log4Shell',
    'what is our SLA compliance',
    'show critical lodash exposures',
    'which secrets were found in our repositories',
    'what is the mean time to remediate Act exposures',
    'explain the risk of the highest scored exposure',
    'find advisories about remote code execution through deserialization',
  ];
}

export type AskReport = {
  overall: Measured;
  slowest: { question: string; latency: LatencySummary }[];
  firstError: string | null;
  /** Questions whose answer says `understood: false`. */
  notUnderstood: string[];
  sample: string;
};

export async function measureAsk(options: {
  db: Database;
  policy: Policy;
  assetId: string;
  calls: number;
  budgetSeconds: number;
}): Promise<AskReport> {
  const service = createAskService({ db: options.db, policy: options.policy, backend: 'rules' });
  const questions = askQuestions(options.assetId);
  const perQuestion = new Map<string, number[]>();
  let firstError: string | null = null;
  const notUnderstood = new Set<string>();
  const sample = JSON.stringify(await service.ask(questions[0]!)) ?? 'undefined';
  const overall = await measureSequential(
    options.calls,
    async (i) => {
      const answer = await service.ask(questions[i % questions.length]!);
      if (!answer.understood) {
        notUnderstood.add(questions[i % questions.length]!);
      }
      return answer;
    },
    {
      warmup: questions.length,
      budgetSeconds: options.budgetSeconds,
      onSample: (i, ms) => {
        const question = questions[i % questions.length]!;
        perQuestion.set(question, [...(perQuestion.get(question) ?? []), ms]);
      },
      failed: (answer) => (answer === undefined || answer === null ? 'no answer' : null),
      onError: (i, why) => {
        firstError ??= `"${questions[i % questions.length]}": ${why}`;
      },
    },
  );
  const slowest = [...perQuestion]
    .map(([question, samples]) => ({ question, latency: summarizeLatencies(samples) }))
    .sort((a, b) => b.latency.p50 - a.latency.p50)
    .slice(0, 3);
  return {
    overall,
    slowest,
    firstError,
    notUnderstood: [...notUnderstood],
    sample: sample.length > 300 ? `${sample.slice(0, 300)}…` : sample,
  };
}
