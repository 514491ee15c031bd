import { streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { readBomContext, resolveRef } from './bom-context.ts';
import { FORMAT } from './constants.ts';
import { detectCycloneDx } from './detect.ts';
import { mapVulnerability } from './map-vulnerability.ts';
import { VulnerabilitySchema } from './schema.ts';

/**
 * CycloneDX 1.4-1.6 JSON with `vulnerabilities[]` (Grype, Trivy, Snyk, OSS Index/jake,
 * Dependency-Track, VEX documents). Two passes: the first indexes components by bom-ref and
 * reads the metadata (they may come after the vulnerabilities), the second streams the
 * vulnerabilities and emits one finding per (vulnerability, affected component). A ref that
 * names no listed component, or a vulnerability with no `affects`, still yields its finding,
 * without package facts, plus a warning saying why.
 */
async function* parseCycloneDx(source: Source): AsyncGenerator<ParsedRecord> {
  const context = await readBomContext(source);
  for await (const { pointer, value } of streamJson(source, FORMAT, ['$.vulnerabilities.*'])) {
    const vulnerability = parseRecord(VulnerabilitySchema, value, { format: FORMAT, file: source.name, pointer });
    const affects = vulnerability.affects ?? [];
    if (!affects.length) {
      yield {
        type: 'warning',
        pointer,
        message: 'names no affected component ("affects"); reported without a package',
      };
      yield { type: 'finding', pointer, value: mapVulnerability(vulnerability, undefined, context, value) };
      continue;
    }
    for (const [i, { ref }] of affects.entries()) {
      const at = `${pointer}/affects/${i}`;
      const component = resolveRef(ref, context.components);
      if (!component) {
        yield { type: 'warning', pointer: at, message: `"ref" ${JSON.stringify(ref)} names no component of this BOM` };
      }
      yield { type: 'finding', pointer: at, value: mapVulnerability(vulnerability, component, context, value) };
    }
  }
}

/** CycloneDX JSON BOMs carrying vulnerabilities (VEX); the XML form is not read. */
export const format: IngestFormat = {
  name: FORMAT,
  kind: 'scanner',
  title: 'CycloneDX 1.4-1.6 JSON with vulnerabilities (Grype, Trivy, Snyk, jake, Dependency-Track, VEX)',
  detect: detectCycloneDx,
  parse: parseCycloneDx,
};
