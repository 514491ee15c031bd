import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import { outcomeRecord } from '../common/outcome.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectSarif } from './detect.ts';
import { mapResult } from './map-result.ts';
import { collectRunContexts, pointerIndexes, type SarifLogContext } from './run-context.ts';
import { SarifResultSchema } from './schema.ts';

const NAME = 'sarif';

/** Rejects what is not a SARIF 2.1 log: 1.0 and 2.0 logs lay results out differently. */
function checkLog(log: SarifLogContext, source: Source): void {
  if (log.version === undefined && log.runs.size === 0) {
    throw new IngestError({
      format: NAME,
      file: source.name,
      pointer: '/version',
      message: 'expected a SARIF log with "version": "2.1.0" and "runs" (it is missing)',
    });
  }
  if (log.version !== undefined && !/^2\.1(\.\d+)?$/.test(String(log.version))) {
    throw new IngestError({
      format: NAME,
      file: source.name,
      pointer: '/version',
      message: `expected "version" to be "2.1.0", found ${JSON.stringify(log.version)}`,
    });
  }
}

/**
 * Streams the results of every run of a SARIF 2.1.0 log, one finding per result. Two passes:
 * the first keeps each run's tool, rules and artifacts (small), the second streams results, so
 * a large log is never held whole whatever the order of a run's members.
 */
async function* parseSarif(source: Source): AsyncGenerator<ParsedRecord> {
  const log = await collectRunContexts(source, NAME);
  checkLog(log, source);
  for await (const { pointer, value } of streamJson(source, NAME, ['$.runs.*.results.*'])) {
    const [runIndex] = pointerIndexes(pointer) as [number];
    const context = log.runs.get(runIndex);
    if (!context) {
      throw new IngestError({
        format: NAME,
        file: source.name,
        pointer: `/runs/${runIndex}/tool`,
        message: 'expected "tool" with a "driver" naming the producer of this run',
      });
    }
    const result = parseRecord(SarifResultSchema, value, { format: NAME, file: source.name, pointer });
    yield outcomeRecord(pointer, mapResult(result, value, context, { format: NAME, file: source.name, pointer }));
  }
}

/** SARIF 2.1.0 from any producer: SAST, secrets, IaC and dependency scanners. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'scanner',
  title: 'SARIF 2.1.0 (Semgrep, CodeQL, Checkov, Gitleaks, Grype, dependency-check, ...)',
  detect: detectSarif,
  parse: parseSarif,
};
