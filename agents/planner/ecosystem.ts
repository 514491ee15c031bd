import { executorEcosystem } from '../../src/domain/ecosystem.ts';

export { executorEcosystem };

/** The manifest each ecosystem's executor edits by default. */
export const DEFAULT_MANIFEST: Record<'npm' | 'pypi' | 'maven' | 'go', string> = {
  npm: 'package.json',
  pypi: 'requirements.txt',
  maven: 'pom.xml',
  go: 'go.mod',
};
