import { IngestError } from '../../domain/errors.ts';
import { streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { DependencyIndex } from './dependency-index.ts';
import { detectNpmAudit } from './detect.ts';
import { mapAdvisoryEntry } from './map-advisory-entry.ts';
import { mapLegacyAdvisory } from './map-legacy-advisory.ts';
import { FORMAT } from './npm-package.ts';
import { NpmLegacyAdvisorySchema, NpmVulnerabilityEntrySchema } from './schema.ts';

const ENTRIES = '/vulnerabilities/';
const LEGACY_ADVISORIES = '/advisories/';

/** The map key of a pointer like `/vulnerabilities/@vercel~1fun`. */
function keyOf(pointer: string, prefix: string): string {
  return pointer.slice(prefix.length).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** What the first pass learned about the report as a whole. */
type ReportShape = { reportVersion?: unknown; hasMetadata: boolean; hasLegacyAdvisories: boolean; error?: unknown };

/** Refuses what is not an npm audit report, naming npm's own error when it wrote one instead. */
function checkShape(shape: ReportShape, source: Source): void {
  const fail = (pointer: string, message: string): never => {
    throw new IngestError({ format: FORMAT, file: source.name, pointer, message });
  };
  if (shape.reportVersion !== undefined && shape.reportVersion !== 2) {
    fail('/auditReportVersion', `expected "auditReportVersion" to be 2, found ${JSON.stringify(shape.reportVersion)}`);
  }
  if (shape.reportVersion !== undefined || shape.hasLegacyAdvisories || shape.hasMetadata) return;
  if (shape.error !== undefined) {
    const { code, summary } = (shape.error ?? {}) as { code?: unknown; summary?: unknown };
    fail('/error', `npm audit wrote an error instead of a report (${[code, summary].filter(Boolean).join(': ')})`);
  }
  fail(
    '',
    'expected an npm audit report: "auditReportVersion": 2 with "vulnerabilities" (npm 7+) or "advisories" (npm 6)',
  );
}

/**
 * `npm audit --json` in both forms. npm 6 (`advisories` keyed by id) is mapped in the first
 * pass, one finding per advisory and installed version. npm 7+ (`vulnerabilities` keyed by
 * package) needs the whole dependency picture first, so the first pass indexes the entries and
 * the second emits one finding per advisory object in `via`. Entries whose `via` holds only
 * package names have no advisory of their own: their advisories are the findings of the
 * packages they lead to, and each such entry yields a warning saying so rather than a copy.
 */
async function* parseNpmAudit(source: Source): AsyncGenerator<ParsedRecord> {
  const index = new DependencyIndex();
  const shape: ReportShape = { hasMetadata: false, hasLegacyAdvisories: false };
  let entries = 0;
  const paths = ['$.auditReportVersion', '$.metadata', '$.error', '$.vulnerabilities.*', '$.advisories.*'];
  for await (const { pointer, value } of streamJson(source, FORMAT, paths)) {
    const where = { format: FORMAT, file: source.name, pointer };
    if (pointer.startsWith(ENTRIES)) {
      const key = keyOf(pointer, ENTRIES);
      index.add(key, parseRecord(NpmVulnerabilityEntrySchema, value, where));
      entries += 1;
    } else if (pointer.startsWith(LEGACY_ADVISORIES)) {
      shape.hasLegacyAdvisories = true;
      const advisory = parseRecord(NpmLegacyAdvisorySchema, value, where);
      for (const { pointerSuffix, finding } of mapLegacyAdvisory(keyOf(pointer, LEGACY_ADVISORIES), advisory)) {
        yield { type: 'finding', pointer: `${pointer}${pointerSuffix}`, value: finding };
      }
    } else if (pointer === '/auditReportVersion') shape.reportVersion = value;
    else if (pointer === '/metadata') shape.hasMetadata = true;
    else if (pointer === '/error') shape.error = value;
  }
  checkShape(shape, source);
  if (entries === 0) return;
  for await (const { pointer, value } of streamJson(source, FORMAT, ['$.vulnerabilities.*'])) {
    const key = keyOf(pointer, ENTRIES);
    const entry = parseRecord(NpmVulnerabilityEntrySchema, value, { format: FORMAT, file: source.name, pointer });
    const name = entry.name ?? key;
    let advisories = 0;
    for (const [i, via] of entry.via.entries()) {
      if (typeof via === 'string') continue;
      advisories += 1;
      const at = `${pointer}/via/${i}`;
      yield {
        type: 'finding',
        pointer: at,
        value: mapAdvisoryEntry(name, entry, via, index, { file: source.name, pointer: at }),
      };
    }
    if (advisories === 0) yield { type: 'warning', pointer, message: transitiveOnly(key, name, index) };
  }
}

/** Why a transitive-only entry yields no finding, naming where its advisories are reported. */
function transitiveOnly(key: string, name: string, index: DependencyIndex): string {
  const below = index.advisoryPackagesBelow(key);
  if (below.length) {
    return `${name} has no advisory of its own: it is vulnerable through ${below.join(', ')}, whose advisories are reported on those packages`;
  }
  return `${name} names no advisory, and none of the packages it depends on through "via" has one in this report; nothing to report`;
}

/** `npm audit --json`, npm 6 (`advisories`) and npm 7+ (`auditReportVersion: 2`). */
export const format: IngestFormat = {
  name: FORMAT,
  kind: 'scanner',
  title: 'npm audit --json (npm 6 and npm 7+)',
  detect: detectNpmAudit,
  parse: parseNpmAudit,
};
