import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { reportContext } from './context.ts';
import { detectGrype } from './detect.ts';
import { mapMatch } from './map-match.ts';
import { readTopLevelValues } from './top-level-values.ts';

const FORMAT = 'grype';
const MATCHES = '$.matches.*';
const IGNORED_MATCHES = '$.ignoredMatches.*';

/** Reads the whole document only to report empty, invalid or truncated JSON with its offset. */
async function assertValidJson(source: Source): Promise<void> {
  const values = streamJson(source, FORMAT, []);
  while (!(await values.next()).done) {
    // nothing is selected; the stream only validates
  }
}

async function* parseGrype(source: Source): AsyncGenerator<ParsedRecord> {
  // Grype writes source, distro and descriptor after the matches: a cheap first pass reads them.
  const top = await readTopLevelValues(source, FORMAT, ['source', 'distro', 'descriptor'], ['matches']);
  if (!top.isObject || !top.keys.has('matches')) {
    await assertValidJson(source);
    throw new IngestError({
      format: FORMAT,
      file: source.name,
      pointer: '',
      message: 'expected a Grype report: an object with a "matches" array',
    });
  }
  const context = reportContext(top.values);
  for await (const match of streamJson(source, FORMAT, [MATCHES, IGNORED_MATCHES])) {
    const site = { format: FORMAT, file: source.name, pointer: match.pointer };
    yield {
      type: 'finding',
      pointer: match.pointer,
      value: mapMatch(match.value, context, site, match.path === IGNORED_MATCHES),
    };
  }
}

/**
 * Anchore Grype JSON (`grype <target> -o json`): one finding per match, with the scanned
 * image or directory as asset hints; matches Grype ignored (VEX, ignore rules) are kept as
 * suppressed findings.
 */
export const format: IngestFormat = {
  name: FORMAT,
  kind: 'scanner',
  title: 'Anchore Grype JSON report',
  detect: (head) => detectGrype(head),
  parse: parseGrype,
};
