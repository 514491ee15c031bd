/**
 * Ask and MCP benchmark: `npm run bench:ask -- [--exposures 100000] [--embeddings 50000]
 * [--queries 200] [--calls 300] [--budget 60] [--seed 42] [--quick] [--keep]` (or BENCH_ASK_EXPOSURES,
 * BENCH_ASK_EMBEDDINGS, BENCH_ASK_QUICK=1). Needs PostgreSQL with pgvector in TEST_DATABASE_URL or
 * DATABASE_URL; a scratch database `mobilize_bench_ask_<pid>` is created and dropped (`--keep`
 * leaves it, to look into a slow query). Each latency series stops after `--budget` seconds.
 *
 * 1. Generates a synthetic estate (assets, advisories, controls, exposures, findings, summaries,
 *    metric history) with COPY, and prioritizes it with the deterministic core.
 * 2. ask (rules back-end): p50/p95 over analysts' questions (target p95 < 200 ms).
 * 3. MCP `search_exposures` and `get_exposure` over Streamable HTTP, against the same reads
 *    through the library as the baseline (target p95 < 50 ms).
 * 4. Semantic search: recall@10 of the HNSW index against exact search on clustered embeddings,
 *    with both latencies (target recall >= 0.95), and whether the service's own query uses it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadPrompt } from '../prompts/index.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { openServer } from '../src/db/open.ts';
import { EF_SEARCH } from '../src/db/repositories/semantic-search.ts';
import { createEstate } from '../src/graph/estate.ts';
import { createLexicalEmbedder } from '../src/graph/llm/embedders.ts';
import { loadPolicy } from '../src/prioritize/policy.ts';
import { estateSize, loadEstate } from './ask-estate.ts';
import { measureMcpReads } from './ask-mcp.ts';
import { askQuestions, measureAsk } from './ask-questions.ts';
import {
  buildVectorTable,
  clusteredSpace,
  measureRecall,
  sampleVector,
  servicePlans,
  usesIndex,
} from './ask-vectors.ts';
import { formatLatency, measureSequential, ms } from './latency.ts';
import { seededRandom } from './seeded-random.ts';

const TARGETS = { askP95Ms: 200, mcpP95Ms: 50, recall: 0.95 };
const EF_LADDER = [64, 80, 100, 128, 160, 200, 300, 400, 600, 800];

const { values } = parseArgs({
  options: {
    exposures: { type: 'string' },
    embeddings: { type: 'string' },
    queries: { type: 'string' },
    calls: { type: 'string' },
    budget: { type: 'string' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: process.env.BENCH_ASK_QUICK === '1' },
  },
});

function count(name: string, given: string | undefined, env: string | undefined, full: number, quick: number): number {
  const value = Number(given ?? env ?? (values.quick ? quick : full));
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name}: expected a positive integer, got ${given ?? env}`);
  return value;
}

const settings = {
  exposures: count('exposures', values.exposures, process.env.BENCH_ASK_EXPOSURES, 100_000, 10_000),
  embeddings: count('embeddings', values.embeddings, process.env.BENCH_ASK_EMBEDDINGS, 50_000, 5_000),
  queries: count('queries', values.queries, undefined, 200, 50),
  calls: count('calls', values.calls, undefined, 300, 60),
  budgetSeconds: count('budget', values.budget, undefined, 60, 15),
  seed: Number(values.seed),
};

/** A throwaway database on the server named by `url`, migrated; dropped by `drop` (also on Ctrl-C). */
async function scratchDatabase(url: string): Promise<{ db: Database; url: string; drop: () => Promise<void> }> {
  const name = `mobilize_bench_ask_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    if (values.keep) console.log(`kept the database: ${target.toString()}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
  process.once('SIGINT', () => {
    console.error(`\ninterrupted: dropping ${name}`);
    void drop().finally(() => process.exit(130));
  });
  const db = await openServer(target.toString(), 10_000);
  await runMigrations(db);
  return { db, url: target.toString(), drop };
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

function rate(n: number, seconds: number): string {
  return `${Math.round(n / seconds).toLocaleString('en')}/s`;
}

async function main(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'bench:ask needs PostgreSQL with pgvector: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)',
    );
  }
  const started = performance.now();
  const now = new Date();
  const random = seededRandom(settings.seed);
  const policy = loadPolicy();
  const size = estateSize(settings.exposures);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-bench-ask-'));
  const scratch = await scratchDatabase(url);
  const { db } = scratch;
  try {
    console.log(
      `bench:ask on PostgreSQL (${(await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v}), seed ${settings.seed}${values.quick ? ', quick mode' : ''}; load average ${loadAverage()} on ${os.availableParallelism()} cores`,
    );

    // 1. The estate.
    const estate = await loadEstate(db, policy, {
      size,
      random,
      now,
      summarizerPromptVersion: loadPrompt('summarizer').version,
    });
    const written = Object.values(estate.rows).reduce((a, b) => a + b, 0);
    console.log(
      `\n== estate: ${size.exposures.toLocaleString('en')} exposures, ${size.assets.toLocaleString('en')} assets, ${size.advisories.toLocaleString('en')} advisories, ${size.controls} controls`,
    );
    console.log(
      `generated in memory in ${estate.generateSeconds.toFixed(1)} s; loaded ${written.toLocaleString('en')} rows with COPY in ${estate.loadSeconds.toFixed(1)} s = ${rate(written, estate.loadSeconds)} (${Object.entries(
        estate.rows,
      )
        .map(([table, n]) => `${table} ${n.toLocaleString('en')}`)
        .join(', ')})`,
    );
    console.log(
      `prioritized ${size.exposures.toLocaleString('en')} exposures in ${estate.prioritize.seconds.toFixed(1)} s = ${rate(size.exposures, estate.prioritize.seconds)}; decisions ${JSON.stringify(estate.prioritize.decisions)}; lifecycle and metric history ${estate.finishSeconds.toFixed(1)} s`,
    );

    // 2. ask.
    console.log(`\n== ask (rules back-end), ${settings.calls} calls over ${askQuestions('x').length} questions`);
    const ask = await measureAsk({
      db,
      policy,
      assetId: estate.assetIds[0]!,
      calls: settings.calls,
      budgetSeconds: settings.budgetSeconds,
    });
    console.log(formatLatency('ask', ask.overall, { p95Ms: TARGETS.askP95Ms }));
    for (const s of ask.slowest)
      console.log(`  slowest by p50: ${ms(s.latency.p50)} p95 ${ms(s.latency.p95)}  "${s.question}"`);
    if (ask.firstError) console.log(`  first error: ${ask.firstError}`);
    if (ask.notUnderstood.length) console.log(`  not understood: ${ask.notUnderstood.map((q) => `"${q}"`).join(', ')}`);
    console.log(`  sample answer: ${ask.sample}`);

    // 3. MCP over Streamable HTTP against the library.
    console.log(
      `\n== MCP over Streamable HTTP (in-process server on loopback) vs the library, ${settings.calls} calls each`,
    );
    const config = loadConfig({
      DATABASE_URL: scratch.url,
      MOBILIZE_HOME: home,
      LOG_LEVEL: 'silent',
      MOBILIZE_BACKEND: 'rules',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    const mcp = await measureMcpReads({
      db,
      policy,
      config,
      exposureIds: estate.exposureIds,
      assetIds: estate.assetIds,
      calls: settings.calls,
      warmup: 30,
      budgetSeconds: settings.budgetSeconds,
      random,
    });
    const target = { p95Ms: TARGETS.mcpP95Ms };
    console.log(formatLatency('search_exposures via MCP', mcp.search.mcp, target));
    console.log(formatLatency('  baseline: estate.searchExposures', mcp.search.library));
    console.log('  search_exposures by filter set, slowest first:');
    for (const q of mcp.perQuery) {
      console.log(`    p50 library ${ms(q.library.p50).padStart(9)}, MCP ${ms(q.mcp.p50).padStart(9)}  ${q.query}`);
    }
    console.log(formatLatency('get_exposure via MCP', mcp.get.mcp, target));
    console.log(formatLatency('  baseline: estate.exposureContext', mcp.get.library));
    console.log(
      `MCP overhead at p50: search +${ms(mcp.search.mcp.p50 - mcp.search.library.p50)}, get +${ms(mcp.get.mcp.p50 - mcp.get.library.p50)}`,
    );
    if (mcp.firstError) console.log(`  first error: ${mcp.firstError}`);

    // 4. HNSW recall and latency.
    console.log(
      `\n== semantic search: HNSW vs exact on ${settings.embeddings.toLocaleString('en')} clustered 384-d embeddings, ${settings.queries} queries`,
    );
    const space = clusteredSpace(random, { topics: 25, clusters: 500, localDirections: 24 });
    const build = await buildVectorTable(db, space, random, settings.embeddings);
    console.log(
      `loaded ${build.rows.toLocaleString('en')} vectors in ${build.loadSeconds.toFixed(1)} s = ${rate(build.rows, build.loadSeconds)}; index built in ${build.buildSeconds.toFixed(1)} s (${build.sizeMb.toFixed(0)} MB, maintenance_work_mem 1GB): ${build.definition}`,
    );
    const queries = Array.from({ length: settings.queries }, () => sampleVector(space, random));
    const recall = await measureRecall(db, queries, {
      target: TARGETS.recall,
      efLadder: EF_LADDER,
      alwaysUpTo: 200,
      warmup: 20,
    });
    console.log(formatLatency('exact (sequential scan + sort)', recall.exact));
    for (const point of recall.points) {
      console.log(
        `${formatLatency(`HNSW ef_search ${point.efSearch}${point.isDefault ? ' (default)' : ''}`, point.latency)}  recall@10 ${point.recall.toFixed(3)}`,
      );
    }
    const atDefault = recall.points[0]!;
    const reaching = recall.points.find((p) => p.recall >= TARGETS.recall);
    console.log(
      atDefault.recall >= TARGETS.recall
        ? `recall@10 ${atDefault.recall.toFixed(3)} at the default ef_search ${atDefault.efSearch}: target ${TARGETS.recall} met, ${(recall.exact.p50 / atDefault.latency.p50).toFixed(0)}x faster than exact at p50`
        : reaching
          ? `recall@10 ${atDefault.recall.toFixed(3)} at the default ef_search ${atDefault.efSearch} MISSES ${TARGETS.recall}; ef_search ${reaching.efSearch} reaches ${reaching.recall.toFixed(3)} (p95 ${ms(reaching.latency.p95)}, ${(recall.exact.p50 / reaching.latency.p50).toFixed(0)}x faster than exact at p50): set hnsw.ef_search = ${reaching.efSearch} for semantic search`
          : `recall@10 stays under ${TARGETS.recall} up to ef_search ${recall.points.at(-1)!.efSearch}`,
    );
    const served = recall.points.find((p) => p.efSearch === EF_SEARCH);
    if (served) {
      console.log(
        `as served (ef_search ${EF_SEARCH}): recall@10 ${served.recall.toFixed(3)}, p95 ${ms(served.latency.p95)}  [target recall >= ${TARGETS.recall}: ${served.recall >= TARGETS.recall ? 'met' : 'MISSED'}]`,
      );
    }

    // The service's own query path, on this estate's summaries (lexical embeddings).
    const embedder = createLexicalEmbedder();
    const [probe] = await embedder.embed(['remote code execution through deserialization']);
    const plans = await servicePlans(db, probe!, embedder.id);
    const texts = askQuestions(estate.assetIds[0]!);
    const reader = createEstate(db, policy);
    const serviceSearch = await measureSequential(
      settings.calls,
      (i) => reader.semanticSearch(texts[i % texts.length]!, { limit: 10, kind: i % 2 ? 'exposures' : 'advisories' }),
      { warmup: 10, budgetSeconds: settings.budgetSeconds },
    );
    console.log(
      formatLatency(`semantic_search as served (${estate.rows.advisory_summaries} summaries)`, serviceSearch, target),
    );
    console.log(
      `  its SQL uses the HNSW index: advisories ${usesIndex(plans.advisories) ? 'yes' : 'NO (exact scan)'}, exposures ${usesIndex(plans.exposures) ? 'yes' : 'NO (exact scan)'}`,
    );

    console.log(
      `\npeak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (benchmark, app server and client in one process)`,
    );
    console.log(`load average at the end ${loadAverage()} (other work on the machine inflates every latency)`);
    console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await db.close();
    await scratch.drop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
