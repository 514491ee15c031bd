import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Advisory, AdvisorySchema } from '../../../src/domain/advisory.ts';
import { type Asset, AssetSchema } from '../../../src/domain/asset.ts';
import { format } from '../../../src/ingest/osv/parser.ts';
import type { EstateReader, ToolContext } from '../../../tools/context.ts';
import { fileSource, parseAll, SHARED_FIXTURES } from '../../helpers/fixtures.ts';
import { unusedPorts } from '../../helpers/unused-ports.ts';

/** A real OSV advisory from the shared fixtures (osv/npm by default), parsed as the project ingests it. */
export async function osvAdvisory(id: string, folder: 'npm' | 'pypi' | 'maven' = 'npm'): Promise<Advisory> {
  const records = await parseAll(format, fileSource(path.join(SHARED_FIXTURES, 'osv', folder, `${id}.json`)));
  const record = records.find((r) => r.type === 'advisory');
  if (record?.type !== 'advisory') throw new Error(`no advisory in ${id}.json`);
  return AdvisorySchema.parse(record.value);
}

export const osvAdvisories = (ids: readonly string[], folder: 'npm' | 'pypi' | 'maven' = 'npm') =>
  Promise.all(ids.map((id) => osvAdvisory(id, folder)));

/** A real manifest from the shared fixtures (read-only; tests never copy it into the project). */
export const sharedManifest = (project: string, name: string) =>
  fs.readFileSync(path.join(SHARED_FIXTURES, 'manifests', project, name), 'utf8');

/**
 * Go advisories written inline with the facts of the real ones (there are no Go OSV files in the shared
 * fixtures): GO-2022-0969 (CVE-2022-27664, HTTP/2 server hang) fixed golang.org/x/net at the pseudo-version
 * 0.0.0-20220906165146-f3363e06e74c; GO-2023-2102 (CVE-2023-39325, HTTP/2 rapid reset) fixed it in 0.17.0.
 */
export const GO_ADVISORIES: Advisory[] = [
  AdvisorySchema.parse({
    id: 'GO-2022-0969',
    source: 'osv',
    aliases: ['CVE-2022-27664', 'GHSA-69cg-p879-7622'],
    affected: [
      {
        ecosystem: 'Go',
        package: 'golang.org/x/net',
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.0.0-20220906165146-f3363e06e74c' }] }],
        fixed: ['0.0.0-20220906165146-f3363e06e74c'],
      },
    ],
  }),
  AdvisorySchema.parse({
    id: 'GO-2023-2102',
    source: 'osv',
    aliases: ['CVE-2023-39325', 'GHSA-4374-p667-p6c8'],
    affected: [
      {
        ecosystem: 'Go',
        package: 'golang.org/x/net',
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.17.0' }] }],
        fixed: ['0.17.0'],
      },
    ],
  }),
];

/** The real nodejs-goof manifests (read-only). */
export const goofFile = (name: 'package.json' | 'package-lock.json') =>
  fs.readFileSync(path.join(SHARED_FIXTURES, 'manifests/nodejs-goof', name), 'utf8');

export const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }).trim();

/** A throwaway repository on `main` with one commit holding the given files. */
export function tempRepo(files: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-remediate-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'initial');
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A hand-written ToolContext over in-memory assets and advisories. Only the two reader methods these
 * tools use exist (the port grows as other work lands); calling any other one fails the test loudly.
 */
export function fakeToolContext(options: {
  assets?: Asset[];
  advisories?: Advisory[];
  dryRun?: boolean;
  idempotencyKey?: string;
}): ToolContext {
  const used: Pick<EstateReader, 'getAsset' | 'getAdvisory'> = {
    getAsset: async (id) => options.assets?.find((asset) => asset.id === id) ?? null,
    getAdvisory: async (id) =>
      options.advisories?.find((advisory) => advisory.id === id || advisory.aliases.includes(id)) ?? null,
  };
  const reader = new Proxy(used, {
    get(target, name) {
      if (name in target) return target[name as keyof typeof target];
      throw new Error(`reader.${String(name)} is not used by the remediation tools`);
    },
  }) as EstateReader;
  return {
    reader,
    ...unusedPorts(),
    tickets: {
      create: async () => {
        throw new Error('tickets are not used by the remediation tools');
      },
    },
    dryRun: options.dryRun ?? false,
    idempotencyKey: options.idempotencyKey,
    timeoutMs: 20_000,
    now: () => new Date('2025-01-01T00:00:00Z'),
  };
}

/** A repository asset whose checkout is `dir`. */
export const repositoryAsset = (id: string, dir: string | undefined, kind = 'repository'): Asset =>
  AssetSchema.parse({ id, name: id, kind, attributes: dir === undefined ? {} : { checkoutPath: dir } });
