import { describeError } from '../domain/errors.ts';

/** How a command reports: JSON on stdout for machines, readable lines for people. */
export type Output = {
  json: boolean;
  result(value: unknown, human: () => string): void;
  progress(message: string): void;
};

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    progress(message) {
      if (!json || process.stderr.isTTY) process.stderr.write(`${message}\n`);
    },
  };
}

/** Prints one line (or a JSON error object) and sets a failing exit code; never a stack trace. */
export function reportFailure(error: unknown, json: boolean): void {
  const code = (error as { code?: unknown }).code;
  const message = describeError(error);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ ok: false, code: typeof code === 'string' ? code : 'ERROR', message })}\n`,
    );
  }
  process.stderr.write(`mobilize: ${message}\n`);
  process.exitCode = 1;
}
