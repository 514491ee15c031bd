import os from 'node:os';
import { Command } from 'commander';
import { askServiceFor } from '../ask/service.ts';
import { loadConfig } from '../config.ts';
import { runMigrations } from '../db/migrate.ts';
import { countActiveApiTokens, createApiToken, listApiTokens, revokeApiToken } from '../db/repositories/api-tokens.ts';
import { appendAudit, verifyAuditLog } from '../db/repositories/audit-log.ts';
import { computeMetrics, takeMetricSnapshot } from '../db/repositories/metrics-store.ts';
import { RoleSchema } from '../domain/auth.ts';
import { ValidationError } from '../domain/errors.ts';
import { createGraphDeps, toolContext } from '../graph/deps.ts';
import { createOrchestrator } from '../graph/orchestrator.ts';
import { loadFormats } from '../ingest/registry.ts';
import { createRuntime, startServer } from '../main.ts';
import { createMcpServer } from '../mcp/server.ts';
import { runStdioServer } from '../mcp/stdio.ts';
import { VERSION } from '../version.ts';
import { formatDemo, isEmpty, loadDemo } from './demo.ts';
import { formatDoctor, runDoctor } from './doctor.ts';
import { registerPrioritizationCommands } from './exposures.ts';
import { formatIngestResults, runIngest } from './ingest.ts';
import { registerOrchestratorCommands } from './orchestrate.ts';
import { createOutput, reportFailure } from './output.ts';
import { withRuntime } from './with-runtime.ts';

/** Runs a command body with uniform --json handling and one-line failures. */
function action<A extends unknown[]>(body: (json: boolean, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const json = Boolean(command.optsWithGlobals().json);
    try {
      await body(json, ...args);
    } catch (error) {
      reportFailure(error, json);
    }
  };
}

export function buildCli(): Command {
  const program = new Command('mobilize')
    .description('Agentic remediation for Continuous Threat Exposure Management')
    .version(VERSION)
    .option('--json', 'machine-readable output on stdout')
    .showHelpAfterError()
    .exitOverride((error) => {
      process.exitCode = error.exitCode;
      throw error;
    });

  program
    .command('doctor')
    .description('check the database, pgvector, migrations and the reasoning back-end')
    .option('--json', 'machine-readable output')
    .action(
      action(async (json) => {
        const report = await runDoctor(loadConfig());
        createOutput(json).result(report, () => formatDoctor(report));
        if (!report.ok) process.exitCode = 1;
      }),
    );

  const db = program.command('db').description('database administration');
  db.command('migrate')
    .description('apply pending migrations')
    .option('--json', 'machine-readable output')
    .action(
      action(async (json) => {
        const runtime = await createRuntime({ migrate: false });
        try {
          const applied = await runMigrations(runtime.db);
          createOutput(json).result({ ok: true, applied, database: runtime.db.kind }, () =>
            applied.length ? `applied ${applied.join(', ')}` : 'migrations are current',
          );
        } finally {
          await runtime.close();
        }
      }),
    );

  const tokens = program.command('tokens').description('API tokens (roles: viewer, analyst, approver, admin)');
  tokens
    .command('create')
    .description('create a token; its secret is printed once and only its hash is stored')
    .requiredOption('--name <name>', 'who or what uses it')
    .option('--role <role>', 'viewer | analyst | approver | admin', 'viewer')
    .option('--json', 'machine-readable output')
    .action(
      action(async (json, flags: { name: string; role: string }) => {
        const role = RoleSchema.safeParse(flags.role);
        if (!role.success) throw new ValidationError(`--role: expected one of ${RoleSchema.options.join(', ')}`);
        await withRuntime(async (runtime) => {
          const created = await createApiToken(runtime.db, { name: flags.name, role: role.data });
          createOutput(json).result(created, () => `${created.id} (${created.role}): ${created.token}`);
        });
      }),
    );
  tokens
    .command('list')
    .description('tokens without their secrets')
    .option('--json', 'machine-readable output')
    .action(
      action(async (json) => {
        await withRuntime(async (runtime) => {
          const all = await listApiTokens(runtime.db);
          createOutput(json).result(all, () =>
            all.map((t) => `${t.id} ${t.role.padEnd(8)} ${t.name}${t.revokedAt ? ' (revoked)' : ''}`).join('\n'),
          );
        });
      }),
    );
  tokens
    .command('revoke')
    .argument('<id>', 'token id (tok_…)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (json, id: string) => {
        await withRuntime(async (runtime) => {
          await revokeApiToken(runtime.db, id);
          createOutput(json).result({ ok: true, revoked: id }, () => `revoked ${id}`);
        });
      }),
    );

  const audit = program.command('audit').description('the append-only, hash-chained audit log');
  audit
    .command('verify')
    .description('recompute the hash chain; exit 1 if any entry was edited, removed or reordered')
    .option('--json', 'machine-readable output')
    .action(
      action(async (json) => {
        await withRuntime(async (runtime) => {
          const result = await verifyAuditLog(runtime.db);
          createOutput(json).result(result, () =>
            result.ok
              ? `audit log intact: ${result.entries} entries`
              : `audit log BROKEN at entry ${result.firstBrokenSeq}: ${result.reason}`,
          );
          if (!result.ok) process.exitCode = 1;
        });
      }),
    );

  program
    .command('ingest')
    .description('ingest scanner reports, advisory feeds and inventories (files, directories, http(s) URLs)')
    .argument('<inputs...>', 'files, directories or URLs')
    .option('--format <name>', 'skip detection and read every input as this format')
    .option('--asset <id>', 'attribute every finding to this asset')
    .option('--scope <scope>', 'the scope these reports cover (an image, a repository, an account)')
    .option('--full-scan', 'the reports are complete scans of --scope: close open findings they no longer contain')
    .option('--json', 'machine-readable output')
    .action(
      action(
        async (
          json,
          inputs: string[],
          flags: { format?: string; asset?: string; scope?: string; fullScan?: boolean },
        ) => {
          const results = await runIngest(inputs, flags);
          createOutput(json).result(results, () => formatIngestResults(results));
          if (results.some((r) => 'error' in r)) process.exitCode = 1;
        },
      ),
    );

  program
    .command('formats')
    .description('list the input formats ingest understands')
    .option('--json', 'machine-readable output')
    .action(
      action(async (json) => {
        const formats = (await loadFormats()).formats.map(({ name, kind, title }) => ({ name, kind, title }));
        createOutput(json).result(formats, () =>
          formats.map((f) => `${f.name.padEnd(13)} ${f.kind.padEnd(10)} ${f.title}`).join('\n'),
        );
      }),
    );

  registerPrioritizationCommands(program, action as never);
  registerOrchestratorCommands(program, action as never);

  program
    .command('demo')
    .description(
      'load the demo estate (assets, controls, scans, advisories, git repositories) and run the orchestrator',
    )
    .option('--json', 'machine-readable output')
    .action(
      action(async (json) => {
        const output = createOutput(json);
        const result = await withRuntime((rt) => loadDemo(rt, (message) => output.progress(message)));
        output.result(result, () => formatDemo(result));
      }),
    );

  program
    .command('metrics')
    .description('programme metrics now (risk-weighted backlog, open by decision, KEV, SLA compliance, MTTR)')
    .option('--snapshot', 'also store a snapshot (the server takes one daily)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (json, flags: { snapshot?: boolean }) => {
        const metrics = await withRuntime(async (rt) =>
          flags.snapshot ? (await takeMetricSnapshot(rt.db, new Date())).metrics : computeMetrics(rt.db, new Date()),
        );
        createOutput(json).result(metrics, () =>
          [
            `open exposures        ${metrics.openTotal} (${Object.entries(metrics.openByDecision)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')})`,
            `risk-weighted backlog ${metrics.riskWeightedBacklog}`,
            `KEV open              ${metrics.kevOpen}`,
            `SLA compliance        ${(metrics.slaCompliance * 100).toFixed(1)}% (${metrics.slaBreached} breached)`,
            `MTTR (days, 90 d)     ${
              Object.entries(metrics.mttrDaysByDecision)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'nothing resolved'
            }`,
            `resolved in 30 days   ${metrics.resolvedLast30Days}`,
          ].join('\n'),
        );
      }),
    );

  program
    .command('ask')
    .description('ask a question about the exposure estate in plain language (a typed query runs, never SQL)')
    .argument('<question...>', 'e.g. "which exposures are past their SLA"')
    .option('--backend <backend>', 'rules or llm (default: the configured back-end)')
    .option('--json', 'machine-readable output: text, result, query and citations')
    .action(
      action(async (json, words: string[], flags: { backend?: string }) => {
        if (flags.backend !== undefined && flags.backend !== 'rules' && flags.backend !== 'llm') {
          throw new ValidationError('--backend must be rules or llm');
        }
        const answer = await withRuntime(async (rt) => {
          const { chatModel, baseUrl, apiKey } = rt.config.model;
          // Asked for explicitly, the model must exist: answering with the rules instead would hide it.
          if (flags.backend === 'llm' && !(chatModel && (baseUrl || apiKey))) {
            throw new ValidationError('--backend llm needs MOBILIZE_MODEL and OPENAI_BASE_URL or OPENAI_API_KEY');
          }
          const config = flags.backend
            ? { ...rt.config, model: { ...rt.config.model, backend: flags.backend } }
            : rt.config;
          const deps = createGraphDeps({
            db: rt.db,
            policy: rt.policy,
            logger: rt.logger,
            config: config as typeof rt.config,
          });
          return askServiceFor(deps).ask(words.join(' '), { actor: `cli:${os.userInfo().username}` });
        });
        createOutput(json).result(answer, () => {
          const citations = [...answer.citations.exposures, ...answer.citations.assets, ...answer.citations.advisories];
          return [
            answer.text,
            answer.query ? `\nquery: ${JSON.stringify(answer.query)}` : '',
            citations.length ? `cited: ${citations.length} ids (--json lists them)` : '',
            `answered by ${answer.decidedBy}`,
          ]
            .filter(Boolean)
            .join('\n');
        });
      }),
    );

  program
    .command('mcp')
    .description('serve MCP over stdio (for AI assistants and IDEs); read-only unless --role approver')
    .option('--role <role>', 'viewer, analyst, approver or admin (approver adds decide_approval)', 'viewer')
    .action(
      action(async (_json, flags: { role: string }) => {
        const role = RoleSchema.safeParse(flags.role);
        if (!role.success) throw new ValidationError('--role must be viewer, analyst, approver or admin');
        const runtime = await createRuntime();
        try {
          const orchestrator = await createOrchestrator({
            db: runtime.db,
            policy: runtime.policy,
            logger: runtime.logger,
            config: runtime.config,
          });
          await runStdioServer(
            createMcpServer({
              context: () => toolContext(orchestrator.deps),
              role: role.data,
              identity: `cli:${os.userInfo().username}`,
              audit: (entry) => runtime.db.transaction((tx) => appendAudit(tx, [entry])),
              decide: (input) => orchestrator.decide(input),
              ask: askServiceFor(orchestrator.deps),
            }),
          );
        } finally {
          await runtime.close();
        }
      }),
    );

  program
    .command('serve')
    .description('start the HTTP API (on an empty database, load the demo estate first)')
    .option('--no-demo', 'do not load the demo estate into an empty database')
    .option('--json', 'print the URLs as JSON')
    .action(
      action(async (json, flags: { demo: boolean }) => {
        const runtime = await createRuntime();
        const output = createOutput(json);
        const demo =
          flags.demo && (await isEmpty(runtime)) ? await loadDemo(runtime, (m) => output.progress(m)) : undefined;
        // A fresh installation has no API token: make one admin token and show it once.
        const bootstrap =
          (await countActiveApiTokens(runtime.db)) === 0
            ? await createApiToken(runtime.db, { name: 'bootstrap-admin', role: 'admin' })
            : undefined;
        const { app, urls } = await startServer(runtime);
        output.result({ ok: true, database: runtime.db.kind, urls, bootstrapToken: bootstrap?.token, demo }, () =>
          [
            ...(demo ? [formatDemo(demo), ''] : []),
            `Mobilize ${VERSION} is serving (database: ${runtime.db.kind} ${runtime.db.location})`,
            `  API        ${urls.api}`,
            `  health     ${urls.health}`,
            `  OpenAPI    ${urls.openapi}`,
            `  approvals  ${urls.approvals}  (or: npx mobilize approvals list)`,
            `  MCP        ${urls.mcp}  (Streamable HTTP, bearer token; stdio: npx mobilize mcp)`,
            ...(bootstrap
              ? [
                  `  admin API token (shown once; store it, then create narrower ones with mobilize tokens create):`,
                  `    ${bootstrap.token}`,
                ]
              : []),
          ].join('\n'),
        );
        const stop = async () => {
          await app.close();
          await runtime.close();
        };
        process.once('SIGINT', () => void stop());
        process.once('SIGTERM', () => void stop());
      }),
    );

  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    // commander already printed usage errors; --help and --version end here too.
    if ((error as { code?: string }).code?.startsWith('commander.')) return;
    reportFailure(error, argv.includes('--json'));
  }
}
