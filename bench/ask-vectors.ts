/**
 * Recall@10 of the HNSW index on advisory-summary embeddings against exact search, and the
 * latency of both. The vectors are clustered like text embeddings (topics, clusters within
 * topics, variation along a few directions per topic), not uniform noise, which would make every
 * neighbour almost equally far and tell nothing about real data.
 */
import pgvector from 'pgvector';
import type { Database, Queryable } from '../src/db/database.ts';
import { searchAdvisoriesByVector, searchExposuresByVector } from '../src/db/repositories/semantic-search.ts';
import { copyRows } from './copy-rows.ts';
import { type LatencySummary, summarizeLatencies } from './latency.ts';
import type { Random } from './seeded-random.ts';

const VECTOR_DIMENSIONS = 384; // the vector(384) column of advisory_summaries
const TABLE = 'bench_summary_vectors';
const INDEX = `${TABLE}_embedding_idx`;
const SOURCE_INDEX = 'advisory_summaries_embedding_idx';
const K = 10;

export type VectorSpaceShape = { topics: number; clusters: number; localDirections: number };

/** Where the vectors come from: topic directions, cluster centres around them, per-topic axes of variation. */
type VectorSpace = { centroids: Float32Array[]; topicOf: number[]; axes: Float32Array[][] };

function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

function gaussianVector(random: Random): Float32Array {
  return Float32Array.from({ length: VECTOR_DIMENSIONS }, () => random.gaussian());
}

export function clusteredSpace(random: Random, shape: VectorSpaceShape): VectorSpace {
  const topics = Array.from({ length: shape.topics }, () => normalize(gaussianVector(random)));
  const axes = topics.map(() => Array.from({ length: shape.localDirections }, () => normalize(gaussianVector(random))));
  const topicOf: number[] = [];
  const centroids = Array.from({ length: shape.clusters }, (_, j) => {
    const topic = j % shape.topics;
    topicOf.push(topic);
    const offset = normalize(gaussianVector(random));
    // Cluster centres sit about 45 degrees from their topic: related, clearly distinct.
    return normalize(topics[topic]!.map((t, i) => t + offset[i]!));
  });
  return { centroids, topicOf, axes };
}

/** One embedding: a cluster centre moved along its topic's axes, plus a little isotropic noise. */
export function sampleVector(space: VectorSpace, random: Random): Float32Array {
  const cluster = random.int(space.centroids.length);
  const v = Float32Array.from(space.centroids[cluster]!);
  const axes = space.axes[space.topicOf[cluster]!]!;
  const along = 0.7 / Math.sqrt(axes.length);
  for (const axis of axes) {
    const g = random.gaussian() * along;
    for (let i = 0; i < v.length; i++) v[i]! += g * axis[i]!;
  }
  const iso = 0.25 / Math.sqrt(VECTOR_DIMENSIONS);
  for (let i = 0; i < v.length; i++) v[i]! += random.gaussian() * iso;
  return normalize(v);
}

function toSql(v: Float32Array): string {
  return pgvector.toSql(Array.from(v))!;
}

const WORDS = (
  'attacker remote code execution crafted request header parameter payload deserialization injection query ' +
  'template lookup library version upgrade fixed affected release package server client authentication ' +
  'bypass token session memory buffer overflow denial service resource exhaustion path traversal file upload ' +
  'cross site scripting input validation sanitization configuration default exploit public proof concept ' +
  'known exploited catalog ransomware probability percentile mitigation workaround disable feature network'
).split(' ');

/** A summary paragraph and JSON of the summarizer's usual size (about 400 and 900 bytes), from varied words. */
function syntheticSummary(random: Random, id: string): { text: string; summary: Record<string, unknown> } {
  const sentence = (n: number) => Array.from({ length: n }, () => random.pick(WORDS)).join(' ');
  const text = `${id}: ${sentence(12)}. ${sentence(18)}. ${sentence(14)}. Upgrade to ${random.int(9)}.${random.int(30)}.${random.int(20)}.`;
  return {
    text,
    summary: {
      advisoryId: id,
      headline: sentence(8),
      affected: [
        {
          ecosystem: 'npm',
          package: `pkg-${random.int(5000)}`,
          vulnerableRanges: ['< 2.3.1'],
          fixedVersions: ['2.3.1'],
        },
      ],
      exploitation: {
        kev: false,
        kevDateAdded: null,
        ransomware: null,
        epss: 0.01,
        epssPercentile: 0.5,
        summary: sentence(14),
      },
      cveIds: [],
      recommendedAction: sentence(10),
      text,
    },
  };
}

export type IndexBuild = {
  definition: string;
  rows: number;
  loadSeconds: number;
  buildSeconds: number;
  sizeMb: number;
};

/**
 * A scratch table with the column types of advisory_summaries, loaded with `count` vectors, and
 * the HNSW index built from advisory_summaries_embedding_idx's own definition (so the index under
 * test is the migration's, whatever it is changed to). Built after the load, as a bulk build.
 */
export async function buildVectorTable(
  db: Database,
  space: VectorSpace,
  random: Random,
  count: number,
): Promise<IndexBuild> {
  const source = await db.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE indexname = $1', [
    SOURCE_INDEX,
  ]);
  const sourceDefinition = source.rows[0]?.indexdef;
  if (!sourceDefinition?.includes('USING hnsw')) {
    throw new Error(`${SOURCE_INDEX}: expected an HNSW index in the migrations, found ${sourceDefinition ?? 'none'}`);
  }
  const definition = sourceDefinition
    .replace(SOURCE_INDEX, INDEX)
    .replace(/ ON (\w+\.)?advisory_summaries /, ` ON $1${TABLE} `);
  await db.query(`CREATE TABLE ${TABLE} (LIKE advisory_summaries INCLUDING DEFAULTS)`);
  const loadStarted = performance.now();
  function* vectors() {
    for (let i = 0; i < count; i++) {
      const id = `ADV-${i}`;
      yield { id, vector: sampleVector(space, random), ...syntheticSummary(random, id) };
    }
  }
  // Rows as wide as the summarizer's (text, summary JSON, vector), so scans and TOAST cost the same;
  // the scratch table has no foreign key to advisories.
  const rows = await copyRows(
    db,
    TABLE,
    [
      { name: 'advisory_id' },
      { name: 'prompt_version' },
      { name: 'decided_by' },
      { name: 'summary', as: 'json' },
      { name: 'text' },
      { name: 'embedding', as: 'vector' },
      { name: 'embedding_model' },
    ],
    vectors(),
    ({ id, vector, summary, text }) => [id, 'bench', 'rules', summary, text, vector, 'bench-clustered-384'],
    2_000,
  );
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const buildStarted = performance.now();
  await db.transaction(async (tx) => {
    // Enough memory for the graph of 50k x 384 floats to be built in memory (the default 64 MB is not).
    await tx.query(`SET LOCAL maintenance_work_mem = '1GB'`);
    await tx.query(definition);
  });
  const buildSeconds = (performance.now() - buildStarted) / 1000;
  await db.query(`ANALYZE ${TABLE}`);
  const size = await db.query<{ bytes: string }>('SELECT pg_relation_size($1::regclass) AS bytes', [INDEX]);
  return { definition, rows, loadSeconds, buildSeconds, sizeMb: Number(size.rows[0]!.bytes) / 1024 / 1024 };
}

const TOP_K_SQL = `SELECT advisory_id FROM ${TABLE} ORDER BY embedding <=> $1::vector LIMIT ${K}`;

async function planOf(tx: Queryable, query: Float32Array): Promise<string> {
  const result = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${TOP_K_SQL}`, [toSql(query)]);
  return result.rows.map((r) => r['QUERY PLAN']).join('\n');
}

type Run = { ids: string[][]; latency: LatencySummary; plan: string; efSearch: number };

/** Top 10 of each query on one connection, with `settings` applied for the transaction only. */
async function topK(db: Database, queries: Float32Array[], settings: string[], warmup: number): Promise<Run> {
  return db.transaction(async (tx) => {
    for (const setting of settings) await tx.query(setting);
    const plan = await planOf(tx, queries[0]!);
    for (const q of queries.slice(0, warmup)) await tx.query(TOP_K_SQL, [toSql(q)]);
    const ids: string[][] = [];
    const samples: number[] = [];
    for (const q of queries) {
      const text = toSql(q);
      const started = performance.now();
      const result = await tx.query<{ advisory_id: string }>(TOP_K_SQL, [text]);
      samples.push(performance.now() - started);
      ids.push(result.rows.map((r) => r.advisory_id));
    }
    const ef = await tx.query('SHOW hnsw.ef_search');
    return { ids, latency: summarizeLatencies(samples), plan, efSearch: Number(Object.values(ef.rows[0]!)[0]) };
  });
}

function recallAtK(found: string[][], exact: string[][]): number {
  let hits = 0;
  found.forEach((ids, i) => {
    const truth = new Set(exact[i]);
    hits += ids.filter((id) => truth.has(id)).length;
  });
  return hits / (exact.length * K);
}

export type RecallPoint = { efSearch: number; isDefault: boolean; recall: number; latency: LatencySummary };
export type RecallReport = { exact: LatencySummary; points: RecallPoint[]; indexPlan: string; exactPlan: string };

/**
 * Exact top 10 (index scans off: a sequential scan and sort) as ground truth, then the index's
 * top 10 at the default hnsw.ef_search, then at larger values: all up to `alwaysUpTo` (the
 * trade-off near the default), and beyond that only while recall stays under `target`.
 */
export async function measureRecall(
  db: Database,
  queries: Float32Array[],
  options: { target: number; efLadder: readonly number[]; alwaysUpTo: number; warmup: number },
): Promise<RecallReport> {
  const exact = await topK(db, queries, ['SET LOCAL enable_indexscan = off'], options.warmup);
  if (exact.plan.includes(INDEX)) throw new Error(`exact search still used ${INDEX}:\n${exact.plan}`);
  const points: RecallPoint[] = [];
  const first = await topK(db, queries, [], options.warmup);
  if (!first.plan.includes(INDEX)) throw new Error(`the top-10 query did not use ${INDEX}:\n${first.plan}`);
  points.push({
    efSearch: first.efSearch,
    isDefault: true,
    recall: recallAtK(first.ids, exact.ids),
    latency: first.latency,
  });
  for (const ef of options.efLadder) {
    if (points.at(-1)!.recall >= options.target && ef > options.alwaysUpTo) break;
    if (ef <= points.at(-1)!.efSearch) continue;
    const run = await topK(db, queries, [`SET LOCAL hnsw.ef_search = ${Number(ef)}`], options.warmup);
    points.push({
      efSearch: run.efSearch,
      isDefault: false,
      recall: recallAtK(run.ids, exact.ids),
      latency: run.latency,
    });
  }
  return { exact: exact.latency, points, indexPlan: first.plan, exactPlan: exact.plan };
}

/**
 * The service's own semantic-search SQL (src/db/repositories/semantic-search.ts) run under EXPLAIN:
 * does it reach the HNSW index at all?
 */
export async function servicePlans(
  db: Database,
  vector: number[],
  embeddingModel: string,
): Promise<{ advisories: string; exposures: string }> {
  const plans: string[] = [];
  const explaining: Queryable = {
    async query(sql, params) {
      // The search breadth setting is part of the transaction, not a query to explain.
      if (/^\s*SET /i.test(sql)) return { rows: [], rowCount: 0 };
      const result = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
      plans.push(result.rows.map((r) => r['QUERY PLAN']).join('\n'));
      return { rows: [], rowCount: 0 };
    },
  };
  const explainingDb = { ...db, query: explaining.query, transaction: (work) => work(explaining) } as Database;
  await searchAdvisoriesByVector(explainingDb, vector, { embeddingModel, limit: K });
  await searchExposuresByVector(explainingDb, vector, { embeddingModel, limit: K });
  return { advisories: plans[0]!, exposures: plans[1]! };
}

export function usesIndex(plan: string): boolean {
  return /Index Scan using \S*embedding_idx/.test(plan);
}
