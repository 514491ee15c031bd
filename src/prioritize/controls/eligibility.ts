import type { Asset } from '../../domain/asset.ts';
import type { Control } from '../../domain/control.ts';

const DAY_MS = 86_400_000;

/** Either why a control may be counted (its scope match), or why it may not. */
export type Eligibility = { eligible: true; inScopeBecause: string } | { eligible: false; reason: string };

/**
 * The gates a control must pass before any mapping is considered: a control that is switched
 * off, protects other assets, or has not been seen working lately cannot be credited, whatever
 * it claims to block. Checked in that order so the reason names the most basic failure.
 */
export function checkEligibility(control: Control, asset: Asset, now: Date, freshnessDays: number): Eligibility {
  if (!control.enabled) return { eligible: false, reason: 'disabled: the control is switched off in the inventory' };
  const scope = scopeMatch(control, asset);
  if (scope.matched === false) return { eligible: false, reason: scope.reason };
  const stale = staleness(control.lastVerifiedAt, now, freshnessDays);
  if (stale) return { eligible: false, reason: stale };
  return { eligible: true, inScopeBecause: scope.because };
}

/** Cheap yes/no form of scopeMatch, for pre-filtering many controls per asset. */
export function isInScope(control: Control, asset: Asset): boolean {
  const { assetIds, tags, environments, networks } = control.scope;
  return (
    assetIds.includes(asset.id) ||
    asset.tags.some((tag) => tags.includes(tag)) ||
    environments.includes(asset.environment) ||
    (Boolean(asset.network) && networks.includes(asset.network as string))
  );
}

/**
 * Whether a control's scope selects the asset. Any matching selector is enough (they are
 * alternatives), an empty scope selects nothing, and every matching selector is named so a
 * reviewer sees all the evidence.
 */
export function scopeMatch(
  control: Control,
  asset: Asset,
): { matched: true; because: string } | { matched: false; reason: string } {
  const { assetIds, tags, environments, networks } = control.scope;
  if (assetIds.length + tags.length + environments.length + networks.length === 0) {
    return { matched: false, reason: 'out of scope: the control has an empty scope, which covers no asset' };
  }
  const because: string[] = [];
  if (assetIds.includes(asset.id)) because.push(`asset id ${asset.id} is listed in scope.assetIds`);
  for (const tag of asset.tags) {
    if (tags.includes(tag)) because.push(`asset tag ${tag} matches scope.tags`);
  }
  if (environments.includes(asset.environment)) {
    because.push(`asset environment ${asset.environment} matches scope.environments`);
  }
  if (asset.network && networks.includes(asset.network)) {
    because.push(`asset network ${asset.network} matches scope.networks`);
  }
  if (because.length > 0) return { matched: true, because: because.join('; ') };
  const tagText = asset.tags.length > 0 ? `tags ${asset.tags.join(', ')}` : 'no tags';
  return {
    matched: false,
    reason:
      `out of scope: asset ${asset.id} (${tagText}; environment ${asset.environment}; ` +
      `network ${asset.network ?? 'unknown'}) matches none of the control's scope selectors`,
  };
}

/**
 * Why a control's verification is too old to trust, or null when it is fresh. A control that
 * was never verified is treated as unproven, not as working. A verification time after `now`
 * (clock skew between systems) counts as fresh.
 */
export function staleness(lastVerifiedAt: Date | null | undefined, now: Date, freshnessDays: number): string | null {
  if (!lastVerifiedAt) return 'never verified: no verification is recorded, so it is not known to work';
  const staleSince = new Date(lastVerifiedAt.getTime() + freshnessDays * DAY_MS);
  if (now.getTime() <= staleSince.getTime()) return null;
  return (
    `stale since ${isoDay(staleSince)}: last verified ${isoDay(lastVerifiedAt)}, ` +
    `outside the ${freshnessDays}-day freshness window`
  );
}

/** YYYY-MM-DD in UTC; hand-built because toISOString dominated the benchmark profile. */
function isoDay(date: Date): string {
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  return `${date.getUTCFullYear()}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}
