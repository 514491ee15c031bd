import { z } from 'zod';
import type { Advisory } from '../domain/advisory.ts';
import { advisoriesAffecting, affectedPackagesFor } from './affected.ts';

/**
 * Whether a package is still vulnerable in a project, from its files alone. `pending` means the manifest
 * is fixed but a lockfile still pins an affected copy (regenerating it, and the next scan, closes it), or
 * the manifest does not state the version at all (inherited), so only a scan of the build can tell.
 */
export const DependencyCheckSchema = z.object({
  status: z.enum(['resolved', 'affected', 'pending']),
  versions: z.array(
    z.object({
      /** 'package.json dependencies', 'requirements.txt line 12', 'pom.xml dependencyManagement', 'go.mod require' */
      source: z.string(),
      version: z.string(),
      affectedBy: z.array(z.string()),
    }),
  ),
  evidence: z.string(),
});
export type DependencyCheck = z.infer<typeof DependencyCheckSchema>;

/** A version found in a file, before it is judged. */
export type FoundVersion = { source: string; version: string };

export type JudgeInput = {
  ecosystem: string;
  packageName: string;
  advisories: readonly Advisory[];
  /** File name of the manifest, for the evidence. */
  manifestName: string;
  /** The lowest version each declaration in the manifest admits (pins, floors, overrides). */
  declared: readonly FoundVersion[];
  /** Declarations whose version the manifest does not state or we cannot read, described for the evidence. */
  unread: readonly string[];
  /** File name of the lockfile read, or null. */
  lockfileName: string | null;
  /** Versions the lockfile pins. */
  locked: readonly FoundVersion[];
};

const ids = (list: readonly string[]) => list.join(', ');

/**
 * The re-scan verdict from what the files say: affected when any declaration admits an affected version
 * (or, with no declaration, the lockfile pins one); pending when only the lockfile lags or the version is
 * not stated; resolved when no affected version remains anywhere. The exposure is resolved only if no
 * affected version remains.
 */
export function judgeDependency(input: JudgeInput): DependencyCheck {
  const entries = affectedPackagesFor(input.advisories, input.ecosystem, input.packageName);
  const judge = (found: FoundVersion) => ({
    ...found,
    affectedBy: advisoriesAffecting(entries, input.ecosystem, found.version),
  });
  const declared = input.declared.map(judge);
  const locked = input.locked.map(judge);
  const declaredAffected = declared.some((observed) => observed.affectedBy.length);
  const lockAffected = locked.some((observed) => observed.affectedBy.length);
  const lockName = input.lockfileName ?? 'the lockfile';

  let status: DependencyCheck['status'];
  let verdict: string;
  if (declaredAffected) {
    status = 'affected';
    verdict = `${input.manifestName} still admits an affected version`;
  } else if (declared.length) {
    status = lockAffected ? 'pending' : 'resolved';
    verdict = lockAffected
      ? `${input.manifestName} is fixed but ${lockName} still pins an affected version: regenerate it and rescan`
      : `no version affected by ${ids(input.advisories.map((advisory) => advisory.id))} remains`;
  } else if (lockAffected) {
    status = 'affected';
    verdict = `${lockName} pins an affected version and ${input.manifestName} sets no fixed version`;
  } else if (input.unread.length) {
    status = 'pending';
    verdict =
      `${input.manifestName} does not state a version this check can read (it is inherited or not a ` +
      'registry version): pin it with bump_dependency, or rescan the built project';
  } else {
    status = 'resolved';
    verdict = `no version affected by ${ids(input.advisories.map((advisory) => advisory.id))} remains`;
  }
  const versions = [...declared, ...locked];
  const describe = (observed: (typeof versions)[number]) =>
    `${observed.source} ${observed.version}` +
    (observed.affectedBy.length ? ` (affected by ${ids(observed.affectedBy)})` : '');
  const seen = versions.length ? versions.map(describe).join('; ') : 'no installed or declared version';
  const unread = input.unread.length ? ` (unread: ${input.unread.join('; ')})` : '';
  return { status, versions, evidence: `${input.packageName}: ${verdict}; found ${seen}${unread}.` };
}
