/**
 * Latency of the natural-language ask service (rules back-end) on analysts' questions. The
 * service is loaded at run time, so this benchmark runs (and says it skipped this part) where
 * src/ask/service.ts is not there.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from '../src/db/database.ts';
import type { Policy } from '../src/prioritize/policy.ts';
import { type LatencySummary, type Measured, measureSequential, summarizeLatencies } from './latency.ts';

const SERVICE_MODULE = new URL('../src/ask/service.ts', import.meta.url);

/** What this benchmark relies on: `createAskService({ db, policy, now? })` returning `{ ask(question) }`. */
type CreateAskService = (deps: {
  db: Database;
  policy: Policy;
  backend: 'rules';
}) => { ask(question: string): Promise<unknown> } | Promise<{ ask(question: string): Promise<unknown> }>;

/** Questions analysts ask, over every kind of read: filters, counts, trends, advisories, similarity. */
export function askQuestions(assetId: string): string[] {
  return [
    'which internet-facing prod assets have KEV vulns that no WAF covers',
    'how many Act exposures does team payments own',
    'top 10 risks on crown jewels',
    'what is CVE-2021-44228 and where are we affected',
    'which exposures are past their SLA',
    'are we safer than 90 days ago',
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

export type AskReport =
  | { skipped: string }
  | {
      overall: Measured;
      slowest: { question: string; latency: LatencySummary }[];
      firstError: string | null;
      /** Questions whose answer says `understood: false` (when answers carry that flag). */
      notUnderstood: string[];
      sample: string;
    };

/** The service factory, or why it cannot be had (missing module, or one that does not load). */
async function loadService(): Promise<CreateAskService | string> {
  if (!fs.existsSync(SERVICE_MODULE)) return `${fileURLToPath(SERVICE_MODULE)} does not exist yet`;
  try {
    const module = (await import(SERVICE_MODULE.href)) as { createAskService?: unknown };
    if (typeof module.createAskService !== 'function') return 'src/ask/service.ts exports no createAskService';
    return module.createAskService as CreateAskService;
  } catch (error) {
    return `src/ask/service.ts failed to load: ${(error as Error).message}`;
  }
}

export async function measureAsk(options: {
  db: Database;
  policy: Policy;
  assetId: string;
  calls: number;
  budgetSeconds: number;
}): Promise<AskReport> {
  const create = await loadService();
  if (typeof create === 'string') return { skipped: create };
  const service = await create({ db: options.db, policy: options.policy, backend: 'rules' });
  const questions = askQuestions(options.assetId);
  const perQuestion = new Map<string, number[]>();
  let firstError: string | null = null;
  const notUnderstood = new Set<string>();
  const sample = JSON.stringify(await service.ask(questions[0]!)) ?? 'undefined';
  const overall = await measureSequential(
    options.calls,
    async (i) => {
      const answer = await service.ask(questions[i % questions.length]!);
      if ((answer as { understood?: unknown } | null)?.understood === false) {
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
