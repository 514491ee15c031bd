import { z } from 'zod';
import { type Asset, AssetKindSchema } from '../domain/asset.ts';
import { EnvironmentSchema } from '../domain/common.ts';
import type { ExposureContext, OwnerAssignment } from '../domain/priority.ts';
import { type CodeownersFile, codeownersEntryFor, isTeamHandle, normalizeRepoPath } from './codeowners.ts';

/**
 * One routing rule of the policy file. Every selector given must match the asset (AND), and a
 * selector matches when the asset has any of its values (OR). A rule with no selector at all is
 * rejected: it would silently swallow every asset that the triage queue is there to catch.
 * Unknown keys are rejected too, so a typo (`tag:`) fails at load instead of never matching.
 */
export const OwnershipRuleSchema = z.strictObject({
  match: z
    .strictObject({
      tags: z.array(z.string().min(1)).optional(),
      assetIds: z.array(z.string().min(1)).optional(),
      environments: z.array(EnvironmentSchema).optional(),
      kinds: z.array(AssetKindSchema).optional(),
    })
    .refine((match) => Object.values(match).some((values) => values !== undefined && values.length > 0), {
      message: 'match needs at least one non-empty selector (tags, assetIds, environments or kinds)',
    }),
  team: z.string().min(1),
  owner: z.string().min(1).optional(),
});
export type OwnershipRule = z.infer<typeof OwnershipRuleSchema>;

export type RouteOwnerInput = {
  asset: Asset;
  context: ExposureContext;
  rules: OwnershipRule[];
  defaultTriageQueue: string;
  codeowners?: CodeownersFile;
};

/**
 * Decides who owns an exposure, most specific evidence first:
 * (a) the CODEOWNERS entry for the file the finding points at, when the asset is a repository;
 * (b) the owner or team recorded on the asset itself;
 * (c) the first policy rule whose selectors all match the asset;
 * (d) the triage queue, flagged `triage: true`, with a reason naming what was tried.
 * The reason of every outcome says why the earlier steps did not decide, so a wrong routing can
 * be fixed at its source (CODEOWNERS, inventory or policy).
 */
export function routeOwner(input: RouteOwnerInput): OwnerAssignment {
  const { asset, context, rules, defaultTriageQueue, codeowners } = input;
  const misses: string[] = [];

  const fromCodeowners = routeByCodeowners(asset, context, codeowners, misses);
  if (fromCodeowners) return fromCodeowners;

  if (asset.owner || asset.team) {
    const named = [asset.owner ? `owner ${asset.owner}` : null, asset.team ? `team ${asset.team}` : null]
      .filter((part) => part !== null)
      .join(' and ');
    return {
      owner: asset.owner ?? null,
      team: asset.team ?? null,
      rule: 'asset-owner',
      reason: withMisses(`Asset ${asset.id} records its own ${named} in the inventory.`, misses),
      triage: false,
    };
  }
  misses.push(`asset ${asset.id} records no owner or team`);

  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    const because = ruleMatch(rule, asset);
    if (because) {
      return {
        owner: rule.owner ?? null,
        team: rule.team,
        rule: `ownership-rules[${index}]`,
        reason: withMisses(`Ownership rule ${index + 1} routes to team ${rule.team}: ${because}.`, misses),
        triage: false,
      };
    }
  }
  misses.push(
    rules.length === 0
      ? 'the policy has no ownership rules'
      : `none of the ${rules.length} ownership rules matches ${describeAsset(asset)}`,
  );

  return {
    owner: null,
    team: defaultTriageQueue,
    rule: 'triage',
    reason: `Sent to the triage queue ${defaultTriageQueue} because ${joinWords(misses)}.`,
    triage: true,
  };
}

function routeByCodeowners(
  asset: Asset,
  context: ExposureContext,
  codeowners: CodeownersFile | undefined,
  misses: string[],
): OwnerAssignment | null {
  if (asset.kind !== 'repository') return null;
  if (!codeowners) {
    misses.push(`no CODEOWNERS file was given for repository ${asset.id}`);
    return null;
  }
  const path = context.location ? normalizeRepoPath(context.location) : '';
  if (path === '') {
    misses.push('the finding names no file path to look up in CODEOWNERS');
    return null;
  }
  const entry = codeownersEntryFor(codeowners, path);
  if (!entry) {
    misses.push(`no CODEOWNERS pattern matches ${path}`);
    return null;
  }
  if (entry.owners.length === 0) {
    misses.push(`CODEOWNERS line ${entry.line} (${entry.pattern}) matches ${path} but names no owner`);
    return null;
  }
  const team = entry.owners.find(isTeamHandle) ?? null;
  const owner = entry.owners.find((handle) => !isTeamHandle(handle)) ?? null;
  return {
    owner,
    team,
    rule: `codeowners:${entry.pattern}`,
    reason: `CODEOWNERS line ${entry.line} (${entry.pattern}) is the last pattern matching ${path}; it names ${entry.owners.join(', ')}.`,
    triage: false,
  };
}

/** Why a rule fits the asset, in words, or null when any of its selectors does not match. */
function ruleMatch(rule: OwnershipRule, asset: Asset): string | null {
  const { tags, assetIds, environments, kinds } = rule.match;
  const because: string[] = [];
  if (assetIds?.length) {
    if (!assetIds.includes(asset.id)) return null;
    because.push(`asset id ${asset.id} is listed in match.assetIds`);
  }
  if (tags?.length) {
    const tag = asset.tags.find((t) => tags.includes(t));
    if (tag === undefined) return null;
    because.push(`asset tag ${tag} matches match.tags`);
  }
  if (environments?.length) {
    if (!environments.includes(asset.environment)) return null;
    because.push(`environment ${asset.environment} matches match.environments`);
  }
  if (kinds?.length) {
    if (!kinds.includes(asset.kind)) return null;
    because.push(`asset kind ${asset.kind} matches match.kinds`);
  }
  return because.length > 0 ? because.join(' and ') : null;
}

function describeAsset(asset: Asset): string {
  const tags = asset.tags.length > 0 ? `tags ${asset.tags.join(', ')}` : 'no tags';
  return `asset ${asset.id} (kind ${asset.kind}, environment ${asset.environment}, ${tags})`;
}

function withMisses(sentence: string, misses: string[]): string {
  return misses.length === 0 ? sentence : `${sentence} Earlier steps did not decide: ${joinWords(misses)}.`;
}

function joinWords(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
