import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EvalReport, formatNumber } from './runner.ts';

/** Where reports go without --report-dir (git-ignored). */
export const DEFAULT_REPORT_DIR = fileURLToPath(new URL('../reports/', import.meta.url));

/** How many failed cases the text output lists per suite; the report file has them all. */
const LISTED_FAILURES = 10;

/** Writes the report as `<startedAt>-<backend>.json` in `dir` (created if missing) and returns its path. */
export function writeReport(report: EvalReport, dir: string = DEFAULT_REPORT_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  let file = path.join(dir, `${stamp}-${report.backend}.json`);
  for (let n = 2; fs.existsSync(file); n++) file = path.join(dir, `${stamp}-${report.backend}-${n}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`, { flag: 'wx' });
  return file;
}

/** The one table of the run, then the failed gate checks and the first failed cases of each suite. */
export function formatReport(report: EvalReport): string {
  const header = ['suite', 'back-end', 'cases', 'score', 'failures', 'violations', 'gate'];
  const rows = report.suites.map((suite) => [
    suite.name,
    suite.fellBack > 0 ? `${suite.backend} (${suite.fellBack} fell back)` : suite.backend,
    String(suite.cases),
    formatNumber(suite.metrics.score),
    String(suite.failed),
    String(suite.violations),
    suite.gate.passed ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column >= 2 && column <= 5 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];

  for (const suite of report.suites) {
    const extra = Object.entries(suite.metrics).filter(([name]) => name !== 'score' && name !== 'violations');
    if (extra.length > 0) {
      out.push('', `${suite.name}: ${extra.map(([name, value]) => `${name} ${formatNumber(value)}`).join(', ')}`);
    }
    const failed = suite.outcomes.filter((outcome) => !outcome.passed);
    for (const outcome of failed.slice(0, LISTED_FAILURES)) {
      const why = [...outcome.violations.map((v) => `VIOLATION: ${v}`), ...outcome.failures].join('; ');
      out.push(`  ${outcome.id}: ${why || 'failed'}`);
    }
    if (failed.length > LISTED_FAILURES) out.push(`  ... and ${failed.length - LISTED_FAILURES} more in the report`);
  }
  out.push('', report.gate.passed ? 'gate: pass' : 'gate: FAIL');
  for (const failure of report.gate.failures) out.push(`  ${failure}`);
  return out.join('\n');
}
