import { IngestError } from '../../domain/errors.ts';
import type { FindingOutcome } from '../common/outcome.ts';
import { kindOf, vulnIdIn } from './classify.ts';
import { descriptionText, renderMessage, shortTitle } from './message.ts';
import { type PackageFacts, packageFactsOf } from './package-facts.ts';
import { cvssVectorOf, cwesOf, ruleTags } from './rule-facts.ts';
import { ruleOf } from './rule-lookup.ts';
import type { RunContext } from './run-context.ts';
import type { SarifResult, SarifRule } from './schema.ts';
import { securitySeverityOf, severityOf } from './severity.ts';
import { suppressionOf } from './suppression.ts';

type Where = { format: string; file: string; pointer: string };

/** Result kinds that record the absence of a problem (SARIF 3.27.9). */
const NOT_A_PROBLEM = new Set(['pass', 'notapplicable', 'informational']);

/** `Semgrep OSS` -> `semgrep-oss`: one spelling per tool across reports. */
export function toolSlug(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, '-');
}

function locationOf(result: SarifResult, context: RunContext) {
  const location = result.locations?.[0];
  const physical = location?.physicalLocation;
  const artifactIndex = physical?.artifactLocation?.index;
  const artifact = artifactIndex === undefined ? undefined : context.artifacts.get(artifactIndex);
  const logical = location?.logicalLocations?.[0];
  return {
    uri: physical?.artifactLocation?.uri ?? artifact?.uri ?? null,
    line: physical?.region?.startLine ?? null,
    purl: artifact?.purl ?? null,
    logicalName: logical?.fullyQualifiedName ?? logical?.name ?? null,
  };
}

/** dependency-check states NVD's CVSS v3 base score in the result's property bag. */
function cvssScoreOf(result: SarifResult, rule: SarifRule | undefined, isPackage: boolean): number | null {
  const stated = result.properties?.cvssv3_baseScore;
  if (typeof stated === 'number' && stated >= 0 && stated <= 10) return stated;
  // For a vulnerability rule, security-severity is the advisory's CVSS score (Grype, Trivy);
  // for code rules it is the tool's own rating, not a CVSS score.
  return isPackage ? securitySeverityOf(result, rule).score : null;
}

function descriptionOf(message: string | null, rule: SarifRule | undefined): string | null {
  const ruleText = descriptionText(rule?.fullDescription) ?? descriptionText(rule?.shortDescription);
  const parts = [message?.trim(), ruleText].filter((part): part is string => Boolean(part));
  const distinct = parts.filter((part, index) => parts.indexOf(part) === index);
  return distinct.length ? distinct.join('\n\n') : null;
}

/**
 * Trivy and Grype write fact sheets as messages ("Package: x\nInstalled Version: y\n...");
 * two or more `Key: value` lines mean the rule's short description is the better title.
 */
function isFactSheet(message: string | null): boolean {
  return (message?.match(/^[ \t]*[A-Za-z][A-Za-z ]{0,30}:[ \t]/gm)?.length ?? 0) >= 2;
}

/** dependency-check repeats RetireJS summaries as "x - x"; one copy is the title. */
function withoutRepeat(text: string): string {
  return /^(.+) - \1$/s.exec(text.trim())?.[1] ?? text;
}

function titleOf(message: string | null, rule: SarifRule | undefined, isPackage: boolean): string | null {
  const short = descriptionText(rule?.shortDescription);
  const candidates =
    isPackage || isFactSheet(message)
      ? [short, message]
      : [message, short, descriptionText(rule?.fullDescription), rule?.name, rule?.id];
  const text = candidates.find((candidate) => candidate?.trim());
  return text ? shortTitle(withoutRepeat(text)) : null;
}

function packageFields(facts: PackageFacts | null) {
  return {
    packageName: facts?.name ?? null,
    packageVersion: facts?.version ?? null,
    ecosystem: facts?.ecosystem ?? null,
    fixedVersions: facts?.fixedVersions ?? [],
    purl: facts?.purl ?? null,
  };
}

/**
 * Maps one SARIF result to a Finding, with its run's tool, rules and artifacts. Results that
 * state no problem (kind pass/notApplicable/informational, or baselineState absent, i.e. gone
 * since the baseline) are skipped with a reason; suppressed results are kept and marked.
 * `raw` is the result exactly as it was in the file.
 */
export function mapResult(result: SarifResult, raw: unknown, context: RunContext, where: Where): FindingOutcome {
  if (result.kind && NOT_A_PROBLEM.has(result.kind.toLowerCase())) {
    return { skip: `result kind "${result.kind}" records no problem; not a finding` };
  }
  if (result.baselineState === 'absent') {
    return { skip: 'baselineState "absent": the result is no longer present in this run' };
  }
  const rule = ruleOf(result, context);
  const location = locationOf(result, context);
  const givenRuleId = result.ruleId ?? result.rule?.id ?? rule?.id ?? null;
  const vulnId = givenRuleId ? vulnIdIn(givenRuleId) : null;
  const tags = ruleTags(rule);
  const kind = kindOf({ toolName: context.toolName, tags, vulnId, hasPackage: Boolean(location.purl) });
  const isPackage = kind === 'package';
  const message = renderMessage(result.message, rule, context.globalMessageStrings);
  const title = titleOf(message, rule, isPackage);
  if (!title) {
    throw new IngestError({
      ...where,
      pointer: `${where.pointer}/message`,
      message: 'expected "message.text" (or a rule with a description) to describe the result',
    });
  }
  const facts = isPackage
    ? packageFactsOf([message, descriptionText(rule?.help), descriptionText(rule?.fullDescription)], location.purl)
    : null;

  return {
    finding: {
      sourceTool: toolSlug(context.toolName),
      sourceVersion: context.toolVersion,
      format: where.format,
      kind,
      ruleId: (isPackage ? vulnId : null) ?? givenRuleId ?? title,
      aliases: [],
      ...packageFields(facts),
      resource: kind === 'misconfiguration' || kind === 'cloud' ? location.logicalName : null,
      location: location.uri,
      line: location.line,
      severity: severityOf(result, rule),
      cvssScore: cvssScoreOf(result, rule, isPackage),
      cvssVector: cvssVectorOf(result, rule),
      cwes: cwesOf(result, rule),
      title,
      description: descriptionOf(message, rule),
      assetHint: context.assetHint,
      suppression: suppressionOf(result),
      raw,
    },
  };
}
