/** Ecosystem names as scanners spell them, mapped to the four our dependency executors change. */
const EXECUTOR_ALIASES: Record<string, 'npm' | 'pypi' | 'maven' | 'go'> = {
  npm: 'npm',
  yarn: 'npm',
  pnpm: 'npm',
  'node-pkg': 'npm',
  pypi: 'pypi',
  pip: 'pypi',
  python: 'pypi',
  'python-pkg': 'pypi',
  poetry: 'pypi',
  pipenv: 'pypi',
  maven: 'maven',
  jar: 'maven',
  java: 'maven',
  pom: 'maven',
  gradle: 'maven',
  go: 'go',
  golang: 'go',
  gomod: 'go',
  gobinary: 'go',
};

/** The executor ecosystem for a finding's ecosystem, or null when no executor changes it. */
export function executorEcosystem(ecosystem: string | null | undefined): 'npm' | 'pypi' | 'maven' | 'go' | null {
  return ecosystem ? (EXECUTOR_ALIASES[ecosystem.toLowerCase()] ?? null) : null;
}

const OS_ECOSYSTEMS =
  /^(alpine|debian|ubuntu|redhat|rhel|centos|rocky|alma|amazon|wolfi|chainguard|photon|suse|opensuse|oracle|mariner|azurelinux)/i;

/** Packages of the operating system of an image: fixed together by a patched base image. */
export function isOsEcosystem(ecosystem: string | null | undefined): boolean {
  return OS_ECOSYSTEMS.test(ecosystem ?? '');
}
