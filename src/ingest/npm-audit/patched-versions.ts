import semver from 'semver';
import { unique } from '../common/normalize.ts';

/**
 * The versions that fix an npm 6 advisory, read off its `patched_versions` range: the lower
 * bound of each alternative (`>=0.2.4 <1.0.0 || >=1.2.6` -> 0.2.4, 1.2.6). npm writes `<0.0.0`
 * when there is no fix, which has no lower bound and so yields nothing; a range semver cannot
 * read yields nothing either rather than a guess.
 */
export function versionsFixedBy(patchedRange: string | null | undefined): string[] {
  if (!patchedRange?.trim()) return [];
  let range: semver.Range;
  try {
    range = new semver.Range(patchedRange);
  } catch {
    return [];
  }
  return unique(
    range.set.map((comparators) => {
      const lower = comparators.find((c) => c.operator === '>=' && c.semver.version !== '0.0.0');
      return lower?.semver.version;
    }),
  );
}
