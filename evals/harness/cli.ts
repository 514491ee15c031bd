import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig } from '../../src/config.ts';
import { ConfigError, describeError, ValidationError } from '../../src/domain/errors.ts';
import { chatModelFromConfig } from './backend.ts';
import { DatasetError } from './dataset.ts';
import { formatReport, writeReport } from './report.ts';
import { runSuites } from './runner.ts';
import type { AnySuite, Backend } from './suite.ts';
import { loadThresholds } from './thresholds.ts';

/** Exit codes: the gate passed, the gate failed, the command was used wrongly (or a dataset/config is bad). */
export const EXIT = { passed: 0, gateFailed: 1, usage: 2 } as const;

type Flags = {
  backend: Backend;
  dataset?: string;
  json?: boolean;
  reportDir?: string;
  thresholds?: string;
};

export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
};

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/**
 * `node evals/run.ts [suite...] [--backend rules|llm] [--dataset FILE] [--json] [--report-dir DIR]`:
 * runs the suites, writes the JSON report, prints the table (or the report with --json) and
 * returns the exit code. Progress goes to stderr so stdout stays machine-readable.
 */
export async function runEvalsCli(argv: string[], suites: AnySuite[], io: CliIo = processIo): Promise<number> {
  const names = suites.map((suite) => suite.name);
  const program = new Command('evals')
    .description('Score the agents against the evaluation datasets and gate the result on evals/thresholds.yaml')
    .argument('[suite...]', `suites to run (default: all): ${names.join(', ')}`)
    .addOption(new Option('--backend <backend>', 'reasoning back-end').choices(['rules', 'llm']).default('rules'))
    .option('--dataset <file>', 'a JSON Lines dataset to use instead of the suite dataset (one suite only)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--report-dir <dir>', 'where the JSON report is written (default evals/reports)')
    .option('--thresholds <file>', 'the thresholds file (default evals/thresholds.yaml)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  let selected: string[];
  let flags: Flags;
  try {
    program.parse(argv, { from: 'node' });
    selected = program.args;
    flags = program.opts<Flags>();
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.passed : EXIT.usage;
    }
    throw error;
  }

  const usage = (message: string) => {
    io.stderr(`evals: ${message}\n`);
    return EXIT.usage;
  };
  const unknown = selected.filter((name) => !names.includes(name));
  if (unknown.length > 0) return usage(`unknown suite ${unknown.join(', ')} (suites: ${names.join(', ')})`);
  if (flags.dataset !== undefined && selected.length !== 1) {
    return usage('--dataset needs exactly one suite name, e.g. `evals controls --dataset my-cases.jsonl`');
  }
  const chosen = selected.length > 0 ? suites.filter((suite) => selected.includes(suite.name)) : suites;

  try {
    const model = flags.backend === 'llm' ? chatModelFromConfig(loadConfig(io.env)) : undefined;
    const thresholds = loadThresholds(flags.thresholds ? path.resolve(flags.thresholds) : undefined);
    const report = await runSuites({
      suites: chosen,
      backend: flags.backend,
      model,
      datasetOverride: flags.dataset,
      thresholds,
      onProgress: (line) => io.stderr(`${line}\n`),
    });
    const file = writeReport(report, flags.reportDir ? path.resolve(flags.reportDir) : undefined);
    io.stderr(`report: ${file}\n`);
    io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return report.gate.passed ? EXIT.passed : EXIT.gateFailed;
  } catch (error) {
    if (error instanceof DatasetError || error instanceof ConfigError || error instanceof ValidationError) {
      return usage(describeError(error));
    }
    throw error;
  }
}
