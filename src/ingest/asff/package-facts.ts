import { normalizeEcosystem } from '../common/normalize.ts';
import { productFieldEndingWith } from './product-fields.ts';
import type { AsffFinding, AsffPackage } from './schema.ts';

/** Inspector's package manager names that the shared table does not know. */
const INSPECTOR_MANAGERS: Record<string, string> = {
  NODEPKG: 'npm',
  PYTHONPKG: 'pypi',
  GEMSPEC: 'rubygems',
  DOTNET_CORE: 'nuget',
  GOBINARY: 'go',
};

/** Inspector platforms (AMAZON_LINUX_2, UBUNTU_22_04, ...) by their distribution word. */
const PLATFORMS: Record<string, string> = {
  AMAZON: 'Amazon Linux',
  UBUNTU: 'Ubuntu',
  DEBIAN: 'Debian',
  RHEL: 'Red Hat',
  REDHAT: 'Red Hat',
  CENTOS: 'Red Hat',
  ALPINE: 'Alpine',
  ROCKY: 'Rocky Linux',
  ALMA: 'AlmaLinux',
  ALMALINUX: 'AlmaLinux',
  SUSE: 'SUSE',
  SLES: 'SUSE',
  OPENSUSE: 'SUSE',
  ORACLE: 'Oracle Linux',
  BOTTLEROCKET: 'Bottlerocket',
};

/** Versions that mean "no fix" rather than a version. */
const NO_FIX = new Set(['', 'NOTAVAILABLE', 'NONE', 'N/A']);

function isOsPackage(pkg: AsffPackage): boolean {
  const manager = (pkg.PackageManager ?? 'OS').trim().toUpperCase();
  return manager === 'OS' || manager === '';
}

/** The distribution of an OS package, from the platform Inspector states for the instance or image. */
function platformOf(finding: AsffFinding): string | null {
  const platform = productFieldEndingWith(finding, '/platform');
  const word = platform?.split(/[_\s-]/)[0]?.toUpperCase();
  return word ? (PLATFORMS[word] ?? null) : null;
}

export function ecosystemOf(pkg: AsffPackage, finding: AsffFinding): string | null {
  if (isOsPackage(pkg)) return platformOf(finding);
  const manager = pkg.PackageManager!.trim().toUpperCase();
  return normalizeEcosystem(INSPECTOR_MANAGERS[manager] ?? manager.toLowerCase());
}

/** RPM/deb epoch 0 is the same as none; dropping it lets versions meet other scanners' spelling. */
function withoutZeroEpoch(version: string): string {
  return version.replace(/^0:/, '');
}

/**
 * The installed version as the package manager writes it: for OS packages Inspector splits
 * epoch, version and release, and states fixes as `epoch:version-release`, so both are joined
 * the same way (`4.14.301-224.520.amzn2`, epoch only when not 0).
 */
export function installedVersionOf(pkg: AsffPackage): string | null {
  const version = pkg.Version?.trim();
  if (!version) return null;
  if (!isOsPackage(pkg)) return version;
  const epoch = pkg.Epoch?.trim();
  const release = pkg.Release?.trim();
  return `${epoch && epoch !== '0' ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;
}

/** `FixedInVersion` may list several versions ("1.2.3, 1.3.0") or say NotAvailable. */
export function fixedVersionsOf(pkg: AsffPackage): string[] {
  const versions = (pkg.FixedInVersion ?? '')
    .split(',')
    .map((version) => version.trim())
    .filter((version) => !NO_FIX.has(version.toUpperCase()));
  return isOsPackage(pkg) ? versions.map(withoutZeroEpoch) : versions;
}
