// The evaluation harness: `npm run evals -- [suite...] [--backend rules|llm] [--dataset FILE] [--json] [--report-dir DIR]`.
import { describeError } from '../src/domain/errors.ts';
import { runEvalsCli } from './harness/cli.ts';
import { SUITES } from './suites/index.ts';

try {
  process.exitCode = await runEvalsCli(process.argv, SUITES);
} catch (error) {
  // A fault of the harness itself, not a gate result: say so and fail the run.
  process.stderr.write(`evals: ${describeError(error)}\n${error instanceof Error ? (error.stack ?? '') : ''}\n`);
  process.exitCode = 1;
}
