import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { FindingSchema } from '../../src/domain/finding.ts';
import type { IngestFormat } from '../../src/ingest/format.ts';
import {
  filesUnder,
  hasSharedFixtures,
  head,
  ingestErrorOf,
  OWN_FIXTURES,
  parseAll,
  SHARED_FIXTURES,
  sharedFiles,
  sharedSamples,
  textSource,
} from './fixtures.ts';

/** A finding as parsers emit it (the schema input). */
export type FindingInput = z.input<typeof FindingSchema>;

/** DefectDojo's severity words for ours; some of its parsers say "Unknown" rather than "Info". */
export const DOJO_SEVERITY: Record<string, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
  unknown: 'Info',
};

/** A finding's CWE ids as DefectDojo's numbers (CWE-89 → 89). */
export function cweNumbers(finding: FindingInput): number[] {
  return (finding.cwes ?? []).map((cwe) => Number(cwe.replace('CWE-', '')));
}

/**
 * One malformed input: what it is (the test name), its text, the error message (exact, or a
 * pattern), and where needed the file name it is read as and the pointer the error must name.
 */
export type BadInput = [
  what: string,
  text: string,
  message: string | RegExp,
  where?: { file?: string; pointer?: string },
];

/**
 * `<format>: bad input`: one test per case, each asserting that parsing the text rejects with an
 * IngestError whose message is the one given (a string must match exactly) and, if given, whose
 * pointer is the one given. Inputs are read as `file` (default `bad.json`) unless a case names one.
 */
export function describeBadInput(format: IngestFormat, cases: BadInput[], options: { file?: string } = {}): void {
  describe(`${format.name}: bad input`, () => {
    it.each<BadInput>(cases)(
      'rejects %s with an IngestError naming the file and the place',
      async (_what, text, message, where = {}) => {
        const error = await ingestErrorOf(parseAll(format, textSource(where.file ?? options.file ?? 'bad.json', text)));
        if (typeof message === 'string') expect(error.message).toBe(message);
        else expect(error.message).toMatch(message);
        if (where.pointer !== undefined) expect(error.pointer).toBe(where.pointer);
      },
    );
  });
}

/** `claims our <file>`: `claims` asserts on the detect() score of each of our fixtures (tests/fixtures/<format>). */
export function itClaimsEachOwnFixture(
  format: IngestFormat,
  claims: (score: number, file: string) => void | Promise<void>,
): void {
  const files = filesUnder(path.join(OWN_FIXTURES, format.name));
  it.each(files.map((file) => [path.basename(file), file]))('claims our %s', async (name, file) =>
    claims(format.detect(head(file), name), file),
  );
}

const within = (file: string, place: string) => file === place || file.startsWith(`${place}${path.sep}`);

/**
 * `<format>: detection of the shared samples` (skipped without ../shared/fixtures):
 * - `claims <file>`: for each sample of the format's own places (folders or files under
 *   ../shared/fixtures, `*.expect.json` left out), `claims` asserts on its detect() score;
 * - `does not claim <file>`: every other file there (other tools' reports, OSV advisories, CVE
 *   records, feeds, manifests, SSVC data, expectations) scores exactly 0.
 */
export function describeSharedDetection(
  format: IngestFormat,
  own: string[],
  claims?: (score: number, file: string) => void | Promise<void>,
): void {
  describe.skipIf(!hasSharedFixtures)(`${format.name}: detection of the shared samples`, () => {
    const places = own.map((place) => path.join(SHARED_FIXTURES, place));
    const score = (file: string) => format.detect(head(file), path.basename(file));
    const named = (files: string[]) => files.map((file) => [path.relative(SHARED_FIXTURES, file), file]);
    if (claims) {
      const ours = own.flatMap((place) => sharedSamples(place));
      it.each(named(ours))('claims %s', async (_name, file) => claims(score(file), file));
    }
    const others = sharedFiles().filter((file) => !places.some((place) => within(file, place)));
    it.each(named(others))('does not claim %s', (_name, file) => {
      expect(score(file)).toBe(0);
    });
  });
}
