import type { z } from 'zod';
import { IngestError } from '../../domain/errors.ts';
import type { FindingSchema } from '../../domain/finding.ts';
import { normalizeCwe, normalizeSeverity, unique } from '../common/normalize.ts';
import { advisoryIds, ghsaFromUrl } from './advisory-ids.ts';
import type { DependencyIndex } from './dependency-index.ts';
import { cvssOf, ECOSYSTEM, FORMAT, npmPurl, SOURCE_TOOL } from './npm-package.ts';
import type { NpmAdvisoryVia, NpmVulnerabilityEntry } from './schema.ts';

type FindingInput = z.input<typeof FindingSchema>;

/** How npm says the entry can be fixed, in words; the fixed version itself only when it is this package's. */
function fixOf(name: string, entry: NpmVulnerabilityEntry): { fixedVersions: string[]; text: string | null } {
  const fix = entry.fixAvailable;
  if (fix === undefined) return { fixedVersions: [], text: null };
  if (fix === false) return { fixedVersions: [], text: 'No fix is available.' };
  if (fix === true) return { fixedVersions: [], text: 'Fix: `npm audit fix` can update it within the allowed ranges.' };
  const major = fix.isSemVerMajor ? ' (a semver-major change)' : '';
  if (fix.name === name) {
    return { fixedVersions: [fix.version], text: `Fix: upgrade ${name} to ${fix.version}${major}.` };
  }
  return { fixedVersions: [], text: `Fix: upgrade ${fix.name} to ${fix.version}${major}.` };
}

function dependencyText(name: string, entry: NpmVulnerabilityEntry, index: DependencyIndex): string | null {
  if (entry.isDirect) return 'Direct dependency.';
  const direct = index.directDependents(name);
  return direct.length ? `Brought in by direct dependencies: ${direct.join(', ')}.` : null;
}

/**
 * One finding for one advisory of one npm 7+ `vulnerabilities` entry. npm 7+ reports ranges,
 * not installed versions, so the version stays null and the ranges go to the description;
 * `raw` is the whole entry, because its package-level facts (nodes, fix) belong to the finding.
 */
export function mapAdvisoryEntry(
  name: string,
  entry: NpmVulnerabilityEntry,
  advisory: NpmAdvisoryVia,
  index: DependencyIndex,
  where: { file: string; pointer: string },
): FindingInput {
  const { ruleId, aliases } = advisoryIds({ ghsa: ghsaFromUrl(advisory.url), cves: [], npmId: advisory.source });
  if (!ruleId) {
    throw new IngestError({
      format: FORMAT,
      file: where.file,
      pointer: where.pointer,
      message: 'expected the advisory to have a GitHub advisory "url" or an npm advisory number in "source"',
    });
  }
  const fix = fixOf(name, entry);
  const ranges = [
    advisory.range ? `Vulnerable versions: ${advisory.range}.` : null,
    entry.range && entry.range !== advisory.range ? `npm's vulnerable range for the package: ${entry.range}.` : null,
  ];
  const description = [
    ...ranges,
    entry.nodes?.length ? `Installed at: ${entry.nodes.join(', ')}.` : null,
    dependencyText(name, entry, index),
    fix.text,
    advisory.url ? `Advisory: ${advisory.url}` : null,
  ].filter((line): line is string => line !== null);
  return {
    sourceTool: SOURCE_TOOL,
    format: FORMAT,
    kind: 'package',
    ruleId,
    aliases,
    packageName: name,
    ecosystem: ECOSYSTEM,
    packageVersion: null,
    fixedVersions: fix.fixedVersions,
    purl: npmPurl(name, null),
    severity: normalizeSeverity(advisory.severity ?? entry.severity),
    ...cvssOf(advisory.cvss),
    cwes: unique((advisory.cwe ?? []).map(normalizeCwe)),
    title: advisory.title?.trim() || `${ruleId} in ${name}`,
    description: description.join('\n'),
    assetHint: [],
    raw: entry,
  };
}
