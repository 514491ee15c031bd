/** Ecosystem names as scanners spell them, mapped to the four our executors change. */
const ALIASES: Record<string, 'npm' | 'pypi' | 'maven' | 'go'> = {
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
  return ecosystem ? (ALIASES[ecosystem.toLowerCase()] ?? null) : null;
}

/** The manifest each ecosystem's executor edits by default. */
export const DEFAULT_MANIFEST: Record<'npm' | 'pypi' | 'maven' | 'go', string> = {
  npm: 'package.json',
  pypi: 'requirements.txt',
  maven: 'pom.xml',
  go: 'go.mod',
};
