import { IngestError } from '../../domain/errors.ts';
import { requireJsonRoot } from '../common/json-root.ts';
import { streamJson } from '../common/json-stream.ts';
import { parseRecord } from '../common/record-error.ts';
import type { IngestFormat, ParsedRecord, Source } from '../format.ts';
import { detectSnyk } from './detect.ts';
import { mapSnykIssue } from './map-issue.ts';
import { collectProjects, projectPaths, type SnykProject } from './project-context.ts';
import { projectFacts } from './project-facts.ts';
import { SnykIssueSchema } from './schema.ts';
import { filteredSuppression } from './suppression.ts';

const NAME = 'snyk';

/** `/0/vulnerabilities/3` -> project `/0`, list `vulnerabilities`. */
const ISSUE_POINTER = /^(.*)\/(vulnerabilities|filtered\/ignore|filtered\/patch)\/\d+$/;

/** A report that is one Snyk error (`{"ok": false, "error": ...}`) has no results to ingest. */
function* projectErrors(projects: Map<string, SnykProject>, source: Source): Generator<ParsedRecord> {
  for (const [pointer, project] of projects) {
    if (!project.error) continue;
    if (pointer === '') {
      throw new IngestError({
        format: NAME,
        file: source.name,
        pointer: '/error',
        message: `Snyk reported an error instead of results: ${project.error}`,
      });
    }
    yield {
      type: 'warning',
      pointer: `${pointer}/error`,
      message: `Snyk could not test this project: ${project.error}`,
    };
  }
}

/**
 * Two passes: the first keeps each project's name, manifest and image (Snyk writes them after
 * the issues), the second streams every issue of every project, including those the policy
 * ignores (kept as suppressed). One finding per issue and dependency path, as Snyk lists them.
 */
async function* parseSnyk(source: Source): AsyncGenerator<ParsedRecord> {
  const root = await requireJsonRoot(
    source,
    NAME,
    ['{', '['],
    'a Snyk test report (a project object or an array of projects)',
  );
  const prefixes = projectPaths(root);
  const projects = await collectProjects(source, NAME, prefixes);
  if (root === '{' && !projects.has('')) {
    throw new IngestError({
      format: NAME,
      file: source.name,
      pointer: '/ok',
      message: 'expected a Snyk test report with "ok" and "vulnerabilities" (it is missing)',
    });
  }
  yield* projectErrors(projects, source);
  const paths = prefixes.flatMap((prefix) => [
    `${prefix}.vulnerabilities.*`,
    `${prefix}.filtered.ignore.*`,
    `${prefix}.filtered.patch.*`,
  ]);
  for await (const { pointer, value } of streamJson(source, NAME, paths)) {
    const [, projectPointer, list] = ISSUE_POINTER.exec(pointer)!;
    const issue = parseRecord(SnykIssueSchema, value, { format: NAME, file: source.name, pointer });
    const suppression =
      list === 'vulnerabilities' ? null : filteredSuppression(list === 'filtered/patch' ? 'patch' : 'ignore', issue);
    const facts = projectFacts(projectPointer!, projects);
    yield { type: 'finding', pointer, value: mapSnykIssue(issue, value, facts, { format: NAME, suppression }) };
  }
}

/** Snyk CLI `snyk test --json` / `snyk container test --json`, single or `--all-projects`. */
export const format: IngestFormat = {
  name: NAME,
  kind: 'scanner',
  title: 'Snyk CLI JSON (open source and container tests)',
  detect: detectSnyk,
  parse: parseSnyk,
};
