import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectTrivy } from './detect.ts';
import { mapRecord } from './map-record.ts';
import { type DocumentShape, walkTrivyReport } from './report-walker.ts';

const FORMAT = 'trivy';

/**
 * The first significant character tells the schema-2 and Kubernetes objects from the older
 * list of results and from the `null` an older Trivy printed for a clean scan. Read errors
 * and empty files are left to the streaming pass, which reports them with a byte offset.
 */
async function firstCharacter(source: Source): Promise<string | undefined> {
  const stream = source.open();
  try {
    for await (const chunk of stream) {
      const text = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
      const match = /[^\s\uFEFF]/.exec(text);
      if (match) return match[0];
    }
  } catch {
    return undefined;
  } finally {
    stream.destroy();
  }
  return undefined;
}

async function* parseTrivy(source: Source): AsyncGenerator<ParsedRecord> {
  const first = await firstCharacter(source);
  // A legacy clean scan is `null`: read as an (empty) list, which still validates the JSON.
  const shape: DocumentShape = first === '[' || first === 'n' ? 'list' : 'object';
  for await (const walked of walkTrivyReport(source, FORMAT, shape)) {
    if (walked.type === 'warning') {
      yield walked;
      continue;
    }
    yield mapRecord(walked.kind, walked.value, walked.context, {
      format: FORMAT,
      file: source.name,
      pointer: walked.pointer,
    });
  }
}

/**
 * Aqua Security Trivy JSON (`trivy ... --format json`): schema 2 reports of images,
 * filesystems and repositories, Kubernetes cluster reports, and the older list form.
 * Vulnerabilities, misconfigurations and secrets become findings; license findings and passed
 * checks become warnings.
 */
export const format: IngestFormat = {
  name: FORMAT,
  kind: 'scanner',
  title: 'Trivy JSON report',
  detect: (head) => detectTrivy(head),
  parse: parseTrivy,
};
