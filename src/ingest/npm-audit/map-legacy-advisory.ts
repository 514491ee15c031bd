import type { z } from 'zod';
import type { FindingSchema } from '../../domain/finding.ts';
import { normalizeCwe, normalizeSeverity, unique } from '../common/normalize.ts';
import { advisoryIds, ghsaFromUrl } from './advisory-ids.ts';
import { cvssOf, ECOSYSTEM, FORMAT, npmPurl, SOURCE_TOOL } from './npm-package.ts';
import { versionsFixedBy } from './patched-versions.ts';
import type { NpmLegacyAdvisory } from './schema.ts';

type FindingInput = z.input<typeof FindingSchema>;

/** Dependency paths listed per finding; a big tree can list hundreds, the rest stay in `raw`. */
const MAX_PATHS = 10;

/** npm 6 writes paths as `mocha>mkdirp>minimist`. */
function pathsText(paths: readonly string[]): string | null {
  if (!paths.length) return null;
  const shown = paths.slice(0, MAX_PATHS).map((path) => path.split('>').join(' > '));
  const more = paths.length > MAX_PATHS ? ` (and ${paths.length - MAX_PATHS} more)` : '';
  return `Dependency paths: ${shown.join('; ')}${more}.`;
}

/**
 * The findings of one npm 6 advisory: one per installed version of the module (`findings[]`),
 * since each version is a separate package in the tree with its own dependency paths. The
 * GHSA id (from `github_advisory_id` or the url) is the rule id when npm gives one, else the
 * first CVE, else npm's advisory number.
 */
export function mapLegacyAdvisory(
  key: string,
  advisory: NpmLegacyAdvisory,
): { pointerSuffix: string; finding: FindingInput }[] {
  const cves = advisory.cves ?? [];
  const ghsa = ghsaFromUrl(advisory.github_advisory_id) ?? ghsaFromUrl(advisory.url);
  const ids = advisoryIds({ ghsa, cves, npmId: advisory.id ?? key });
  const ruleId = ids.ruleId ?? key;
  const name = advisory.module_name;
  const cweList = typeof advisory.cwe === 'string' ? [advisory.cwe] : (advisory.cwe ?? []);
  // An advisory without installs is still reported, on the module with an unknown version.
  const installs = advisory.findings.length ? advisory.findings : [{ version: null, paths: [] }];
  return installs.map((install, index) => {
    const description = [
      advisory.overview?.trim() || null,
      advisory.recommendation?.trim() ? `Recommendation: ${advisory.recommendation.trim()}` : null,
      advisory.vulnerable_versions ? `Vulnerable versions: ${advisory.vulnerable_versions}.` : null,
      advisory.patched_versions ? `Patched versions: ${advisory.patched_versions}.` : null,
      pathsText(install.paths ?? []),
      advisory.url ? `Advisory: ${advisory.url}` : null,
    ].filter((line): line is string => line !== null);
    const finding: FindingInput = {
      sourceTool: SOURCE_TOOL,
      format: FORMAT,
      kind: 'package',
      ruleId,
      aliases: ids.aliases,
      packageName: name,
      ecosystem: ECOSYSTEM,
      packageVersion: install.version,
      fixedVersions: versionsFixedBy(advisory.patched_versions),
      purl: npmPurl(name, install.version),
      severity: normalizeSeverity(advisory.severity),
      ...cvssOf(advisory.cvss),
      cwes: unique(cweList.map(normalizeCwe)),
      title: advisory.title?.trim() || `${ruleId} in ${name}@${install.version ?? 'unknown version'}`,
      description: description.join('\n'),
      assetHint: [],
      raw: advisory,
    };
    return { pointerSuffix: advisory.findings.length ? `/findings/${index}` : '', finding };
  });
}
