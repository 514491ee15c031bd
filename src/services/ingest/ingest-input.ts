import crypto from 'node:crypto';
import path from 'node:path';
import type { z } from 'zod';
import type { Database, Queryable } from '../../db/database.ts';
import {
  applyThreatIntel,
  upsertAdvisories,
  upsertEpssScores,
  upsertKevEntries,
} from '../../db/repositories/advisories-store.ts';
import {
  aliasesOf,
  closeUnseenFindings,
  type ExposureRow,
  exposuresOfReport,
  type FindingRow,
  linkExposuresToAdvisories,
  refreshExposureStates,
  upsertExposures,
  upsertFindings,
} from '../../db/repositories/findings-store.ts';
import {
  assetExists,
  createUnclassifiedAsset,
  findAssetByIdentifiers,
  upsertAsset,
  upsertControl,
} from '../../db/repositories/inventory-store.ts';
import { type Advisory, AdvisorySchema } from '../../domain/advisory.ts';
import { type AssetIdentifier, AssetSchema } from '../../domain/asset.ts';
import { ControlSchema } from '../../domain/control.ts';
import { IngestError, ValidationError } from '../../domain/errors.ts';
import { type Finding, FindingSchema } from '../../domain/finding.ts';
import { type EpssScore, EpssScoreSchema, type KevEntry, KevEntrySchema } from '../../domain/intel.ts';
import type { IngestFormat } from '../../ingest/format.ts';
import {
  canonicalVulnerabilityId,
  componentOf,
  contentHashOf,
  correlationKey,
  exposureIdFor,
  fingerprintOf,
  whereOf,
} from './correlate.ts';
import type { ResolvedInput } from './sources.ts';

export type IngestOptions = {
  /** Attribute every finding to this asset instead of matching the report's identifiers. */
  assetId?: string;
  /** The scope this report covers (e.g. an image, a repository, an account). */
  scope?: string;
  /** The report is a complete scan of `scope`: open findings it no longer contains are fixed. */
  fullScan?: boolean;
  onProgress?: (progress: { file: string; records: number }) => void;
};

/** What one input did to the database. */
export type IngestSummary = {
  file: string;
  format: string;
  records: number;
  findings: number;
  new: number;
  updated: number;
  unchanged: number;
  exposures: number;
  suppressed: number;
  fixed: number;
  advisories: number;
  kev: number;
  epss: number;
  assets: number;
  controls: number;
  warnings: string[];
};

const FINDING_BATCH = 2000;
const INTEL_BATCH = 5000;
const PROGRESS_EVERY = 50_000;
const MAX_WARNINGS = 100;

/**
 * Ingests one input in one transaction: parse (streaming), validate every record against the
 * domain schemas, correlate findings to assets and advisories, write in batches, then apply
 * the lifecycle. Any error rolls the whole input back and names the record that caused it.
 */
export async function ingestInput(
  db: Database,
  format: IngestFormat,
  input: ResolvedInput,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  if (options.fullScan && !options.scope) {
    throw new ValidationError('--full-scan needs --scope: the scope whose unreported findings are closed');
  }
  return db.transaction(async (tx) => new InputIngestion(tx, format, input, options).run());
}

class InputIngestion {
  readonly summary: IngestSummary;
  private readonly tx: Queryable;
  private readonly format: IngestFormat;
  private readonly input: ResolvedInput;
  private readonly options: IngestOptions;
  private reportId = 0;
  private findings: { finding: Finding; pointer: string }[] = [];
  private advisories: Advisory[] = [];
  private kev: KevEntry[] = [];
  private epss: EpssScore[] = [];
  private readonly assetCache = new Map<string, string>();
  private readonly aliasCache = new Map<string, string[]>();
  private readonly touchedAdvisories: string[] = [];
  private sourceTool: string | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(tx: Queryable, format: IngestFormat, input: ResolvedInput, options: IngestOptions) {
    this.tx = tx;
    this.format = format;
    this.input = input;
    this.options = options;
    this.summary = {
      file: input.name,
      format: format.name,
      records: 0,
      findings: 0,
      new: 0,
      updated: 0,
      unchanged: 0,
      exposures: 0,
      suppressed: 0,
      fixed: 0,
      advisories: 0,
      kev: 0,
      epss: 0,
      assets: 0,
      controls: 0,
      warnings: [],
    };
  }

  async run(): Promise<IngestSummary> {
    const report = await this.tx.query<{ id: string }>(
      `INSERT INTO ingest_reports (file, format, scope, full_scan, sha256) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [
        this.input.name,
        this.format.name,
        this.options.scope ?? null,
        Boolean(this.options.fullScan),
        this.input.sha256 ?? null,
      ],
    );
    this.reportId = Number(report.rows[0]!.id);
    if (this.options.assetId && !(await assetExists(this.tx, this.options.assetId))) {
      await createUnclassifiedAsset(this.tx, { id: this.options.assetId, name: this.options.assetId, identifiers: [] });
      this.warn(`asset "${this.options.assetId}" is not in the inventory; created it as unclassified`);
    }

    for await (const record of this.format.parse(this.input)) {
      this.summary.records += 1;
      if (this.summary.records % PROGRESS_EVERY === 0) {
        this.options.onProgress?.({ file: this.input.name, records: this.summary.records });
      }
      switch (record.type) {
        case 'finding':
          this.findings.push({
            finding: this.validate(FindingSchema, record.value, record.pointer),
            pointer: record.pointer,
          });
          if (this.findings.length >= FINDING_BATCH) await this.flushFindings();
          break;
        case 'advisory':
          this.advisories.push(this.validate(AdvisorySchema, record.value, record.pointer));
          if (this.advisories.length >= 500) await this.flushAdvisories();
          break;
        case 'kev':
          this.kev.push(this.validate(KevEntrySchema, record.value, record.pointer));
          if (this.kev.length >= INTEL_BATCH) await this.flushIntel();
          break;
        case 'epss':
          this.epss.push(this.validate(EpssScoreSchema, record.value, record.pointer));
          if (this.epss.length >= INTEL_BATCH) await this.flushIntel();
          break;
        case 'asset': {
          await this.drain();
          const absorbed = await upsertAsset(this.tx, this.validate(AssetSchema, record.value, record.pointer));
          this.summary.assets += 1;
          if (absorbed.length) this.warn(`${record.pointer}: took over unclassified asset(s) ${absorbed.join(', ')}`);
          break;
        }
        case 'control':
          await this.drain();
          await upsertControl(this.tx, this.validate(ControlSchema, record.value, record.pointer));
          this.summary.controls += 1;
          break;
        case 'warning':
          this.warn(`${record.pointer}: ${record.message}`);
          break;
      }
    }
    await this.flushFindings();
    await this.drain();
    await this.flushAdvisories();
    await this.flushIntel();
    await this.finish();
    await this.tx.query('UPDATE ingest_reports SET summary = $2 WHERE id = $1', [
      this.reportId,
      JSON.stringify(this.summary),
    ]);
    return this.summary;
  }

  private validate<S extends z.ZodType>(schema: S, value: unknown, pointer: string): z.infer<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? `${pointer}/${issue.path.join('/')}` : pointer;
    throw new IngestError({ format: this.format.name, file: this.input.name, pointer: field, message: issue.message });
  }

  private warn(message: string): void {
    if (this.summary.warnings.length < MAX_WARNINGS) this.summary.warnings.push(message);
    else if (this.summary.warnings.length === MAX_WARNINGS) this.summary.warnings.push('… more warnings omitted');
  }

  private async resolveAsset(finding: Finding): Promise<string> {
    if (this.options.assetId) return this.options.assetId;
    const hints: AssetIdentifier[] = finding.assetHint.length
      ? finding.assetHint
      : [{ kind: 'name', value: path.basename(this.input.name) }];
    const cacheKey = hints.map((h) => `${h.kind}:${h.value}`).join('\n');
    const cached = this.assetCache.get(cacheKey);
    if (cached) return cached;
    let assetId = await findAssetByIdentifiers(this.tx, hints);
    if (!assetId) {
      const first = hints[0]!;
      assetId = `unclassified-${crypto.createHash('sha256').update(`${first.kind}:${first.value}`).digest('hex').slice(0, 12)}`;
      await createUnclassifiedAsset(this.tx, { id: assetId, name: first.value, identifiers: hints });
      this.warn(
        `findings for ${first.kind} "${first.value}" match no inventory asset; recorded as unclassified asset ${assetId}`,
      );
    }
    this.assetCache.set(cacheKey, assetId);
    return assetId;
  }

  private async canonicalIds(findings: Finding[]): Promise<void> {
    const unknown = [...new Set(findings.flatMap((f) => [f.ruleId, ...f.aliases]))].filter(
      (id) => !this.aliasCache.has(id),
    );
    if (!unknown.length) return;
    const known = await aliasesOf(this.tx, unknown);
    for (const id of unknown) this.aliasCache.set(id, known.get(id) ?? []);
  }

  private async flushFindings(): Promise<void> {
    if (!this.findings.length) return;
    await this.drain();
    const batch = this.findings;
    this.findings = [];
    await this.canonicalIds(batch.map((b) => b.finding));

    const exposures = new Map<string, ExposureRow>();
    const rows = new Map<string, FindingRow>();
    this.sourceTool ??= batch[0]?.finding.sourceTool;
    for (const { finding } of batch) {
      const assetId = await this.resolveAsset(finding);
      const ids = [finding.ruleId, ...finding.aliases];
      const vulnerabilityId = canonicalVulnerabilityId(
        ids.flatMap((id) => [id, ...(this.aliasCache.get(id) ?? [])]),
        finding.ruleId,
      );
      const key = correlationKey(assetId, finding, vulnerabilityId);
      if (!exposures.has(key)) {
        exposures.set(key, {
          id: exposureIdFor(key),
          correlationKey: key,
          assetId,
          vulnerabilityId,
          kind: finding.kind,
          component: componentOf(finding) || null,
          ecosystem: finding.ecosystem ?? null,
          title: finding.title,
          severity: finding.severity,
        });
      }
      const fingerprint = fingerprintOf(whereOf(finding, this.options.assetId), finding);
      rows.set(fingerprint, {
        fingerprint,
        exposureId: key, // replaced by the stored exposure id below
        assetId,
        reportId: this.reportId,
        sourceTool: finding.sourceTool,
        sourceVersion: finding.sourceVersion ?? null,
        format: finding.format,
        ruleId: finding.ruleId,
        aliases: finding.aliases,
        kind: finding.kind,
        packageName: finding.packageName ?? null,
        ecosystem: finding.ecosystem ?? null,
        packageVersion: finding.packageVersion ?? null,
        fixedVersions: finding.fixedVersions,
        purl: finding.purl ?? null,
        resource: finding.resource ?? null,
        location: finding.location ?? null,
        line: finding.line ?? null,
        severity: finding.severity,
        cvssScore: finding.cvssScore ?? null,
        cvssVector: finding.cvssVector ?? null,
        cwes: finding.cwes,
        title: finding.title,
        description: finding.description ?? null,
        scope: this.options.scope ?? null,
        state: finding.suppression ? 'suppressed' : 'open',
        suppression: finding.suppression ?? null,
        raw: finding.raw ?? null,
        contentHash: contentHashOf(finding),
      });
    }

    for (const row of rows.values()) if (row.state === 'suppressed') this.summary.suppressed += 1;
    this.summary.findings += batch.length;
    // The write runs while the parser reads the next batch (the database works on the other
    // core); every later query first waits for it, so an error surfaces before anything else runs.
    this.pending = this.writeFindings([...exposures.values()], [...rows.values()]);
    this.pending.catch(() => undefined);
  }

  private async writeFindings(exposures: ExposureRow[], rows: FindingRow[]): Promise<void> {
    const ids = await upsertExposures(this.tx, exposures);
    for (const row of rows) row.exposureId = ids.get(row.exposureId)!;
    const counts = await upsertFindings(this.tx, rows);
    this.summary.new += counts.new;
    this.summary.updated += counts.updated;
    this.summary.unchanged += counts.unchanged;
  }

  /** Waits for the batch being written; rethrows its error. */
  private async drain(): Promise<void> {
    const pending = this.pending;
    this.pending = Promise.resolve();
    await pending;
  }

  private async flushAdvisories(): Promise<void> {
    if (!this.advisories.length) return;
    await this.drain();
    await upsertAdvisories(this.tx, this.advisories);
    this.touchedAdvisories.push(...this.advisories.map((a) => a.id));
    this.summary.advisories += this.advisories.length;
    this.advisories = [];
  }

  private async flushIntel(): Promise<void> {
    await this.drain();
    await upsertKevEntries(this.tx, this.kev);
    await upsertEpssScores(this.tx, this.epss);
    this.summary.kev += this.kev.length;
    this.summary.epss += this.epss.length;
    this.kev = [];
    this.epss = [];
  }

  /** Lifecycle and links that need the whole input: closing, state refresh, advisory links, intel. */
  private async finish(): Promise<void> {
    let closedExposures: string[] = [];
    if (this.options.fullScan && this.options.scope) {
      const closed = await closeUnseenFindings(this.tx, this.options.scope, this.reportId);
      this.summary.fixed = closed.fixed;
      closedExposures = closed.exposureIds;
    }
    if (this.summary.findings || closedExposures.length) {
      this.summary.exposures = await exposuresOfReport(this.tx, this.reportId, closedExposures);
      await refreshExposureStates(this.tx, { reportId: this.reportId, exposureIds: closedExposures });
      await linkExposuresToAdvisories(this.tx);
    }
    if (this.touchedAdvisories.length) {
      await applyThreatIntel(this.tx, this.touchedAdvisories);
      await linkExposuresToAdvisories(this.tx);
    }
    if (this.summary.kev || this.summary.epss) await applyThreatIntel(this.tx);
  }
}
