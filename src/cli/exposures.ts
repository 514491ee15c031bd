import type { Command } from 'commander';
import { listExposures } from '../db/repositories/exposures-query.ts';
import { ValidationError } from '../domain/errors.ts';
import { ExposureQuerySchema } from '../domain/exposure-query.ts';
import { loadFormats } from '../ingest/registry.ts';
import { ingestInputs, isFailure } from '../services/ingest/ingest-inputs.ts';
import { explainExposure, formatExplanation } from '../services/prioritize/explain.ts';
import { loadControls } from '../services/prioritize/load-context.ts';
import { prioritizeExposures } from '../services/prioritize/prioritize.ts';
import { verifyControls } from '../services/prioritize/verify-controls.ts';
import { createOutput } from './output.ts';
import { withRuntime } from './with-runtime.ts';

type Action = (json: boolean, ...args: never[]) => Promise<void>;
type Wrap = (body: Action) => (...args: unknown[]) => Promise<void>;

/** prioritize, exposures list / explain, controls verify. */
/** The command-line flag of a query field: minEpss → min-epss, assetId → asset. */
function flagName(field: string): string {
  const renamed: Record<string, string> = { assetId: 'asset', vulnerabilityId: 'vulnerability' };
  return (renamed[field] ?? field).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function registerPrioritizationCommands(program: Command, wrap: Wrap): void {
  program
    .command('prioritize')
    .description('re-compute coverage, SSVC decision, risk, SLA and owner for every active exposure')
    .option('--json', 'machine-readable output')
    .action(
      wrap(async (json) => {
        const summary = await withRuntime((rt) =>
          prioritizeExposures(rt.db, rt.policy, {
            onProgress: (done) => {
              if (!json) process.stderr.write(`prioritized ${done.toLocaleString('en')} exposures…\n`);
            },
          }),
        );
        createOutput(json).result(summary, () =>
          [
            `prioritized ${summary.exposures} exposures in ${summary.seconds.toFixed(1)} s (${summary.changed} changed)`,
            `  decisions: ${
              Object.entries(summary.decisions)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'none'
            }`,
            `  coverage:  ${
              Object.entries(summary.coverage)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'none'
            }`,
            `  in triage: ${summary.triage}`,
          ].join('\n'),
        );
      }),
    );

  const exposures = program.command('exposures').description('list and explain exposures');
  exposures
    .command('list')
    .description('active exposures, riskiest first')
    .option('--decision <decision>', 'Act | Attend | Track* | Track')
    .option('--owner <owner>', 'owner or team')
    .option('--kev', 'only known-exploited vulnerabilities')
    .option('--internet-facing', 'only internet-facing assets')
    .option('--coverage <coverage>', 'full | partial | none')
    .option('--environment <environment>', 'production | staging | development | test | unknown')
    .option('--criticality <criticality>', 'crown_jewel | high | medium | low')
    .option('--severity <severity>', 'critical | high | medium | low | info | unknown')
    .option('--kind <kind>', 'package | secret | misconfiguration | code | cloud')
    .option('--component <name>', 'package or resource (substring)')
    .option('--min-epss <score>', 'EPSS at least this (0 to 1)')
    .option('--state <state>', 'active (default), all, or one state')
    .option('--asset <id>', 'one asset')
    .option('--vulnerability <id>', 'CVE, GHSA or rule id')
    .option('--sla-breached', 'only exposures past their SLA')
    .option('--triage', 'only exposures in the triage queue')
    .option('--sort <sort>', 'risk | sla | opened | epss', 'risk')
    .option('--limit <n>', 'rows', '50')
    .option('--offset <n>', 'skip rows', '0')
    .option('--json', 'machine-readable output')
    .action(
      wrap(async (json, flags: Record<string, string | boolean | undefined>) => {
        const parsed = ExposureQuerySchema.safeParse({
          decision: flags.decision,
          owner: flags.owner,
          kev: flags.kev,
          internetFacing: flags.internetFacing,
          coverage: flags.coverage,
          environment: flags.environment,
          criticality: flags.criticality,
          severity: flags.severity,
          kind: flags.kind,
          component: flags.component,
          minEpss: flags.minEpss,
          state: flags.state,
          assetId: flags.asset,
          vulnerabilityId: flags.vulnerability,
          slaBreached: flags.slaBreached,
          triage: flags.triage,
          sort: flags.sort,
          limit: flags.limit,
          offset: flags.offset,
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new ValidationError(`--${flagName(String(issue.path[0]))}: ${issue.message}`);
        }
        const result = await withRuntime((rt) => listExposures(rt.db, parsed.data));
        createOutput(json).result(result, () => {
          const header = `${'risk'.padStart(5)}  ${'decision'.padEnd(8)} ${'due'.padEnd(10)} ${'coverage'.padEnd(8)} ${'owner'.padEnd(18)} exposure`;
          const rows = result.rows.map(
            (r) =>
              `${(r.riskScore === null ? '-' : Number(r.riskScore).toFixed(1)).padStart(5)}  ${(r.ssvcDecision ?? '-').padEnd(8)} ${
                r.slaDueAt ? r.slaDueAt.toISOString().slice(0, 10) : '-'.padEnd(10)
              } ${r.coverage.padEnd(8)} ${(r.owner ?? r.team ?? '-').slice(0, 18).padEnd(18)} ${r.id} ${r.vulnerabilityId} ${
                r.component ?? ''
              } on ${r.assetId}${r.kev ? ' [KEV]' : ''}`,
          );
          return [header, ...rows, `${result.rows.length} of ${result.total}`].join('\n');
        });
      }),
    );
  exposures
    .command('explain')
    .description('every factor, the SSVC path, coverage evidence, owner rule and SLA of one exposure')
    .argument('<id>', 'exposure id (EXP-…)')
    .option('--json', 'machine-readable output')
    .action(
      wrap(async (json, id: string) => {
        const explanation = await withRuntime((rt) => explainExposure(rt.db, rt.policy, id));
        createOutput(json).result(explanation, () => formatExplanation(explanation));
      }),
    );

  const controls = program.command('controls').description('compensating controls');
  controls
    .command('verify')
    .description(
      're-read control state (from inventory files when given), apply drift and re-prioritize what relied on it',
    )
    .argument('[inventories...]', 'inventory files or directories holding the current control state')
    .option('--json', 'machine-readable output')
    .action(
      wrap(async (json, inventories: string[]) => {
        const result = await withRuntime(async (rt) => {
          const before = await loadControls(rt.db);
          if (inventories.length) {
            const ingested = await ingestInputs(rt.db, await loadFormats(), inventories, {
              format: 'inventory',
              limits: { timeoutMs: rt.config.timeouts.httpMs, maxBytes: rt.config.server.maxBodyBytes },
            });
            const failed = ingested.find(isFailure);
            if (failed) throw new ValidationError(failed.error.message);
          }
          return verifyControls(rt.db, rt.policy, { before });
        });
        createOutput(json).result(result, () =>
          [
            `${result.controls} controls checked, ${result.drifted.length} drifted`,
            ...result.drifted.map(
              (d) => `  ${d.controlId}: ${d.reasons.join('; ')} (${d.exposures} exposures relied on it)`,
            ),
            result.reprioritized
              ? `re-prioritized ${result.reprioritized.exposures} exposures (${result.reprioritized.changed} changed)`
              : 'nothing to re-prioritize',
          ].join('\n'),
        );
      }),
    );
}
