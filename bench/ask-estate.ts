/**
 * Loads the synthetic estate of bench/ask-estate-model.ts into a migrated PostgreSQL database
 * with COPY, prioritizes it with the real deterministic core, then moves each exposure to its
 * place in the lifecycle and writes the daily metric history that trend questions read.
 */
import type { Database } from '../src/db/database.ts';
import { takeMetricSnapshot } from '../src/db/repositories/metrics-store.ts';
import { createLexicalEmbedder } from '../src/graph/llm/embedders.ts';
import type { Policy } from '../src/prioritize/policy.ts';
import { prioritizeExposures } from '../src/services/prioritize/prioritize.ts';
import {
  type AdvisoryRow,
  type ExposureRow,
  generateAdvisories,
  generateAssets,
  generateControls,
  generateExposures,
  summaryText,
} from './ask-estate-model.ts';
import { copyRows } from './copy-rows.ts';
import type { Random } from './seeded-random.ts';

const DAY_MS = 86_400_000;
const HISTORY_DAYS = 180;

export type EstateSize = { exposures: number; assets: number; advisories: number; controls: number };

/** An estate shaped like a mid-size company's: ~20 exposures per asset, ~12 per advisory. */
export function estateSize(exposures: number): EstateSize {
  const assets = Math.max(50, Math.round(exposures / 20));
  return {
    exposures,
    assets,
    advisories: Math.max(100, Math.round(exposures / 12)),
    controls: Math.max(12, Math.round(assets / 33)),
  };
}

export type LoadedEstate = {
  exposureIds: string[];
  assetIds: string[];
  /** Rows written per table. */
  rows: Record<string, number>;
  generateSeconds: number;
  loadSeconds: number;
  prioritize: { seconds: number; decisions: Record<string, number> };
  finishSeconds: number;
};

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, (performance.now() - started) / 1000];
}

export async function loadEstate(
  db: Database,
  policy: Policy,
  options: { size: EstateSize; random: Random; now: Date; summarizerPromptVersion: string },
): Promise<LoadedEstate> {
  const { size, random, now } = options;
  const generateStarted = performance.now();
  const assets = generateAssets(random, size.assets);
  const advisories = generateAdvisories(random, size.advisories, now);
  const controls = generateControls(random, size.controls, advisories, now);
  const { exposures, findings } = generateExposures(random, size.exposures, assets, advisories, now);
  const generateSeconds = (performance.now() - generateStarted) / 1000;

  const rows: Record<string, number> = {};
  const [, loadSeconds] = await timed(async () => {
    rows.assets = await copyRows(
      db,
      'assets',
      [
        { name: 'id' },
        { name: 'name' },
        { name: 'kind' },
        { name: 'environment' },
        { name: 'criticality' },
        { name: 'internet_exposure' },
        { name: 'data_sensitivity' },
        { name: 'team' },
        { name: 'network' },
        { name: 'tags', as: 'array' },
      ],
      assets,
      (a) => [
        a.id,
        a.name,
        a.kind,
        a.environment,
        a.criticality,
        a.internetExposure,
        a.dataSensitivity,
        a.team,
        a.network,
        a.tags,
      ],
    );
    rows.asset_identifiers = await copyRows(
      db,
      'asset_identifiers',
      [{ name: 'kind' }, { name: 'value' }, { name: 'asset_id' }],
      assets,
      (a) => [a.identifier.kind, a.identifier.value, a.id],
    );
    rows.advisories = await copyRows(
      db,
      'advisories',
      [
        { name: 'id' },
        { name: 'source' },
        { name: 'aliases', as: 'array' },
        { name: 'title' },
        { name: 'details' },
        { name: 'severity' },
        { name: 'cvss_vector' },
        { name: 'cvss_score' },
        { name: 'cwes', as: 'array' },
        { name: 'affected', as: 'json' },
        { name: 'published_at' },
        { name: 'modified_at' },
        { name: 'kev' },
        { name: 'kev_date_added' },
        { name: 'kev_ransomware' },
        { name: 'epss_score' },
        { name: 'epss_percentile' },
        { name: 'epss_date' },
      ],
      advisories,
      (a) => [
        a.id,
        'osv',
        a.aliases,
        a.title,
        a.details,
        a.severity,
        a.cvssVector,
        a.cvssScore,
        a.cwes,
        affected(a),
        a.publishedAt,
        a.modifiedAt,
        a.kev !== null,
        a.kev?.dateAdded ?? null,
        a.kev?.ransomware ?? null,
        a.epss.score,
        a.epss.percentile,
        now.toISOString().slice(0, 10),
      ],
    );
    rows.advisory_aliases = await copyRows(
      db,
      'advisory_aliases',
      [{ name: 'alias' }, { name: 'advisory_id' }],
      advisories.flatMap((a) => [a.id, ...a.aliases].map((alias) => [alias, a.id])),
      (pair) => pair,
    );
    rows.controls = await copyRows(
      db,
      'controls',
      [
        { name: 'id' },
        { name: 'name' },
        { name: 'kind' },
        { name: 'product' },
        { name: 'mode' },
        { name: 'scope', as: 'json' },
        { name: 'capabilities', as: 'array' },
        { name: 'rules', as: 'json' },
        { name: 'enabled' },
        { name: 'last_verified_at' },
      ],
      controls,
      (c) => [c.id, c.name, c.kind, c.product, c.mode, c.scope, c.capabilities, c.rules, c.enabled, c.lastVerifiedAt],
    );
    // Every exposure starts open, so the deterministic core prioritizes all of them once.
    rows.exposures = await copyRows(
      db,
      'exposures',
      [
        { name: 'id' },
        { name: 'correlation_key' },
        { name: 'asset_id' },
        { name: 'advisory_id' },
        { name: 'vulnerability_id' },
        { name: 'kind' },
        { name: 'component' },
        { name: 'ecosystem' },
        { name: 'title' },
        { name: 'severity' },
        { name: 'first_seen_at' },
        { name: 'last_seen_at' },
        { name: 'opened_at' },
      ],
      exposures,
      (e) => [
        e.id,
        e.correlationKey,
        e.assetId,
        e.advisoryId,
        e.vulnerabilityId,
        e.kind,
        e.component,
        e.ecosystem,
        e.title,
        e.severity,
        e.lifecycle.openedAt,
        e.lifecycle.resolvedAt ?? now,
        e.lifecycle.openedAt,
      ],
    );
    rows.findings = await copyRows(
      db,
      'findings',
      [
        { name: 'fingerprint' },
        { name: 'exposure_id' },
        { name: 'asset_id' },
        { name: 'source_tool' },
        { name: 'format' },
        { name: 'rule_id' },
        { name: 'kind' },
        { name: 'package_name' },
        { name: 'ecosystem' },
        { name: 'package_version' },
        { name: 'fixed_versions', as: 'array' },
        { name: 'resource' },
        { name: 'location' },
        { name: 'line' },
        { name: 'severity' },
        { name: 'cvss_score' },
        { name: 'cvss_vector' },
        { name: 'cwes', as: 'array' },
        { name: 'title' },
        { name: 'scope' },
        { name: 'raw', as: 'json' },
      ],
      findings,
      (f) => [
        f.fingerprint,
        f.exposureId,
        f.assetId,
        f.sourceTool,
        f.format,
        f.ruleId,
        f.kind,
        f.packageName,
        f.ecosystem,
        f.packageVersion,
        f.fixedVersions,
        f.resource,
        f.location,
        f.line,
        f.severity,
        f.cvssScore,
        f.cvssVector,
        f.cwes,
        f.title,
        'bench',
        {},
      ],
    );
    rows.advisory_summaries = await writeSummaries(db, advisories, exposures, options.summarizerPromptVersion);
    await db.query('ANALYZE');
  });

  const full = await prioritizeExposures(db, policy, { now });
  const [, finishSeconds] = await timed(async () => {
    await applyLifecycle(db, exposures, now);
    rows.metric_snapshots = await writeMetricHistory(db, exposures, now);
    // Steady state, as autovacuum leaves it: no dead rows from the bulk updates, fresh statistics.
    await db.query('VACUUM ANALYZE');
  });
  return {
    exposureIds: exposures.map((e) => e.id),
    assetIds: assets.map((a) => a.id),
    rows,
    generateSeconds,
    loadSeconds,
    prioritize: { seconds: full.seconds, decisions: full.decisions },
    finishSeconds,
  };
}

function affected(a: AdvisoryRow): unknown[] {
  return [
    {
      ecosystem: a.ecosystem,
      package: a.packageName,
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: a.fixed }] }],
      versions: [],
      fixed: [a.fixed],
    },
  ];
}

/**
 * Summaries of the advisories the estate uses, embedded with the default (lexical) embedder
 * under its own model id, as the summarizer node stores them: semantic search then has real rows.
 */
async function writeSummaries(
  db: Database,
  advisories: AdvisoryRow[],
  exposures: ExposureRow[],
  promptVersion: string,
): Promise<number> {
  const used = new Set(exposures.map((e) => e.advisoryId));
  const embedder = createLexicalEmbedder();
  const rows: { advisory: AdvisoryRow; text: string; embedding: number[] }[] = [];
  for (const advisory of advisories.filter((a) => used.has(a.id))) {
    const text = summaryText(advisory);
    const [embedding] = await embedder.embed([text]);
    rows.push({ advisory, text, embedding: embedding! });
  }
  return copyRows(
    db,
    'advisory_summaries',
    [
      { name: 'advisory_id' },
      { name: 'advisory_modified_at' },
      { name: 'prompt_version' },
      { name: 'decided_by' },
      { name: 'summary', as: 'json' },
      { name: 'text' },
      { name: 'embedding', as: 'vector' },
      { name: 'embedding_model' },
    ],
    rows,
    ({ advisory, text, embedding }) => [
      advisory.id,
      advisory.modifiedAt,
      promptVersion,
      'rules',
      {
        advisoryId: advisory.id,
        headline: advisory.title,
        affected: [
          {
            ecosystem: advisory.ecosystem,
            package: advisory.packageName,
            vulnerableRanges: [`< ${advisory.fixed}`],
            fixedVersions: [advisory.fixed],
          },
        ],
        exploitation: {
          kev: advisory.kev !== null,
          kevDateAdded: advisory.kev?.dateAdded ?? null,
          ransomware: advisory.kev ? advisory.kev.ransomware : null,
          epss: advisory.epss.score,
          epssPercentile: advisory.epss.percentile,
          summary: text.split('. ')[2] ?? '',
        },
        cveIds: [advisory.id],
        recommendedAction: `Upgrade ${advisory.packageName} to ${advisory.fixed} or later.`,
        text,
      },
      text,
      embedding,
      embedder.id,
    ],
    2_000,
  );
}

/** Moves exposures out of `open` to their generated lifecycle state, and marks fixed findings. */
async function applyLifecycle(db: Database, exposures: ExposureRow[], now: Date): Promise<void> {
  const moved = exposures.filter((e) => e.lifecycle.state !== 'open');
  const column = <T>(pick: (e: ExposureRow) => T) => moved.map(pick);
  await db.query(
    `UPDATE exposures e
        SET state = u.state, resolved_at = u.resolved_at, mitigated_at = u.mitigated_at,
            accepted_until = u.accepted_until, updated_at = $6
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
            AS u(id, state, resolved_at, mitigated_at, accepted_until)
      WHERE e.id = u.id`,
    [
      column((e) => e.id),
      column((e) => e.lifecycle.state),
      column((e) => e.lifecycle.resolvedAt),
      column((e) => e.lifecycle.mitigatedAt),
      column((e) => e.lifecycle.acceptedUntil),
      now,
    ],
  );
  await db.query(
    `UPDATE findings f SET state = 'fixed', fixed_at = e.resolved_at
       FROM exposures e WHERE e.id = f.exposure_id AND e.state = 'resolved'`,
  );
}

type Scored = { decision: string; risk: number; slaDueAt: Date | null };

/**
 * One metric snapshot a day for the last HISTORY_DAYS days, each computed as of its day from the
 * generated lifecycle (open between openedAt and resolvedAt) with the definitions of
 * computeMetrics, then today's snapshot from computeMetrics itself.
 */
async function writeMetricHistory(db: Database, exposures: ExposureRow[], now: Date): Promise<number> {
  const result = await db.query<{ id: string; decision: string | null; risk: number | null; sla: Date | null }>(
    'SELECT id, ssvc_decision AS decision, risk_score AS risk, sla_due_at AS sla FROM exposures',
  );
  const scored = new Map<string, Scored>(
    result.rows.map((r) => [
      r.id,
      { decision: r.decision ?? 'unprioritized', risk: Number(r.risk ?? 0), slaDueAt: r.sla },
    ]),
  );
  const snapshots: { takenAt: Date; metrics: unknown }[] = [];
  for (let day = HISTORY_DAYS; day >= 1; day--) {
    const at = new Date(now.getTime() - day * DAY_MS);
    snapshots.push({ takenAt: at, metrics: metricsAsOf(exposures, scored, at) });
  }
  const written = await copyRows(
    db,
    'metric_snapshots',
    [{ name: 'taken_at' }, { name: 'metrics', as: 'json' }],
    snapshots,
    (s) => [s.takenAt, s.metrics],
  );
  await takeMetricSnapshot(db, now);
  return written + 1;
}

function metricsAsOf(exposures: ExposureRow[], scored: Map<string, Scored>, at: Date): unknown {
  const t = at.getTime();
  const openByDecision: Record<string, number> = {};
  let openTotal = 0;
  let risk = 0;
  let kevOpen = 0;
  let due = 0;
  let breached = 0;
  const mttr = new Map<string, { days: number; n: number }>();
  let resolvedLast30Days = 0;
  for (const e of exposures) {
    const { openedAt, resolvedAt } = e.lifecycle;
    const s = scored.get(e.id)!;
    if (openedAt.getTime() <= t && (!resolvedAt || resolvedAt.getTime() > t)) {
      openTotal += 1;
      openByDecision[s.decision] = (openByDecision[s.decision] ?? 0) + 1;
      risk += s.risk;
      if (e.kev) kevOpen += 1;
      if (s.slaDueAt) {
        due += 1;
        if (s.slaDueAt.getTime() < t) breached += 1;
      }
    } else if (resolvedAt && resolvedAt.getTime() <= t && resolvedAt.getTime() > t - 90 * DAY_MS) {
      const entry = mttr.get(s.decision) ?? { days: 0, n: 0 };
      entry.days += (resolvedAt.getTime() - openedAt.getTime()) / DAY_MS;
      entry.n += 1;
      mttr.set(s.decision, entry);
      if (resolvedAt.getTime() > t - 30 * DAY_MS) resolvedLast30Days += 1;
    }
  }
  return {
    openTotal,
    openByDecision,
    riskWeightedBacklog: Math.round(risk * 10) / 10,
    kevOpen,
    slaCompliance: due === 0 ? 1 : (due - breached) / due,
    slaBreached: breached,
    mttrDaysByDecision: Object.fromEntries([...mttr].map(([d, m]) => [d, Math.round((m.days / m.n) * 10) / 10])),
    resolvedLast30Days,
  };
}
