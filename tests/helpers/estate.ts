import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Database } from '../../src/db/database.ts';
import { loadFormats } from '../../src/ingest/registry.ts';
import { ingestInputs, isFailure } from '../../src/services/ingest/ingest-inputs.ts';

/**
 * A small estate for orchestrator tests, generated in code: two npm repositories with real git
 * working copies, one container image behind a WAF with a virtual patch, their scanner reports
 * (Trivy JSON) and the OSV advisories (facts from GHSA-35jh-r3h4-6jhm and GHSA-rv95-896h-c2vc).
 *
 * - shop-repo: production, high criticality, lodash ^4.17.15 → routine patch bump, verifiable.
 * - payments-repo: crown jewel, express 4.18.2 → the bump waits for approval.
 * - legacy-web: container image with lodash, covered by an in-scope blocking WAF rule.
 */
export type Estate = { dir: string; repos: { shop: string; payments: string }; files: string[]; cleanup(): void };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function makeRepo(dir: string, packageJson: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  git(dir, 'add', 'package.json');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

function trivy(artifact: string, type: 'repository' | 'container_image', pkg: string, version: string, cve: string) {
  const fixed = pkg === 'lodash' ? '4.17.21' : '4.19.2';
  return {
    SchemaVersion: 2,
    CreatedAt: '2026-11-20T08:00:00Z',
    ArtifactName: artifact,
    ArtifactType: type,
    Results: [
      {
        Target: type === 'repository' ? 'package.json' : 'app/package-lock.json',
        Class: 'lang-pkgs',
        Type: 'npm',
        Vulnerabilities: [
          {
            VulnerabilityID: cve,
            PkgName: pkg,
            InstalledVersion: version,
            FixedVersion: fixed,
            Status: 'fixed',
            Title: `${pkg}: vulnerable before ${fixed}`,
            Severity: 'HIGH',
            CweIDs: pkg === 'lodash' ? ['CWE-94'] : ['CWE-601'],
            CVSS: {
              nvd:
                pkg === 'lodash'
                  ? { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', V3Score: 7.2 }
                  : { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', V3Score: 6.1 },
            },
          },
        ],
      },
    ],
  };
}

export const LODASH_ADVISORY = {
  schema_version: '1.4.0',
  id: 'GHSA-35jh-r3h4-6jhm',
  modified: '2024-03-14T21:49:52Z',
  published: '2021-05-06T16:05:51Z',
  aliases: ['CVE-2021-23337'],
  summary: 'Command Injection in lodash',
  details: 'lodash versions prior to 4.17.21 are vulnerable to Command Injection via the template function.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'lodash' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
    },
  ],
  database_specific: { cwe_ids: ['CWE-77', 'CWE-94'], severity: 'HIGH' },
};

export const EXPRESS_ADVISORY = {
  schema_version: '1.4.0',
  id: 'GHSA-rv95-896h-c2vc',
  modified: '2024-03-25T22:24:57Z',
  published: '2024-03-25T19:40:26Z',
  aliases: ['CVE-2024-29041'],
  summary: 'Express.js Open Redirect in malformed URLs',
  details:
    'Versions of Express.js prior to 4.19.2 and pre-release alpha and beta versions before 5.0.0-beta.3 are affected.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'express' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.19.2' }] }],
    },
    {
      package: { ecosystem: 'npm', name: 'express' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '5.0.0-alpha.1' }, { fixed: '5.0.0-beta.3' }] }],
    },
  ],
  database_specific: { cwe_ids: ['CWE-601', 'CWE-1286'], severity: 'MEDIUM' },
};

/** An advisory whose free text also carries `extra` (e.g. instructions aimed at an agent). */
function withDetails(advisory: Record<string, unknown>, extra: string | undefined) {
  return extra ? { ...advisory, details: `${advisory.details} ${extra}` } : advisory;
}

/** Writes the estate's files and git repositories into a fresh temporary folder. */
export function buildEstate(options: { inject?: string } = {}): Estate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-estate-'));
  const shop = makeRepo(path.join(dir, 'repos/shop'), {
    name: 'shop',
    version: '1.0.0',
    dependencies: { lodash: '^4.17.15' },
  });
  const payments = makeRepo(path.join(dir, 'repos/payments'), {
    name: 'payments',
    version: '2.0.0',
    dependencies: { express: '4.18.2' },
  });
  const inventory = {
    assets: [
      {
        id: 'shop-repo',
        name: 'Shop storefront repository',
        kind: 'repository',
        environment: 'production',
        criticality: 'high',
        internetExposure: 'internet',
        owner: 'alice@example.com',
        team: 'storefront',
        identifiers: [{ kind: 'repository_url', value: 'https://git.example.com/acme/shop' }],
        attributes: { checkoutPath: shop },
      },
      {
        id: 'payments-repo',
        name: 'Payments service repository',
        kind: 'repository',
        environment: 'production',
        criticality: 'crown_jewel',
        internetExposure: 'internet',
        dataSensitivity: 'restricted',
        team: 'payments-platform',
        identifiers: [{ kind: 'repository_url', value: 'https://git.example.com/acme/payments' }],
        attributes: { checkoutPath: payments },
      },
      {
        id: 'legacy-web',
        name: 'Legacy web image',
        kind: 'container_image',
        environment: 'production',
        criticality: 'medium',
        internetExposure: 'internet',
        tags: ['web'],
        identifiers: [{ kind: 'image', value: 'registry.example.com/legacy/web:2.0.0' }],
      },
    ],
    controls: [
      {
        id: 'waf-edge',
        name: 'Edge WAF',
        kind: 'waf',
        mode: 'block',
        scope: { tags: ['web'] },
        capabilities: ['injection', 'rce'],
        rules: [{ id: 'vp-lodash-template', cves: ['CVE-2021-23337'] }],
        enabled: true,
        lastVerifiedAt: new Date(Date.now() - 86_400_000).toISOString(),
      },
    ],
  };
  const files: Record<string, unknown> = {
    'inventory.yaml': inventory,
    'advisories/lodash.json': withDetails(LODASH_ADVISORY, options.inject),
    'advisories/express.json': withDetails(EXPRESS_ADVISORY, options.inject),
    'scans/shop.json': trivy('https://git.example.com/acme/shop', 'repository', 'lodash', '4.17.15', 'CVE-2021-23337'),
    'scans/payments.json': trivy(
      'https://git.example.com/acme/payments',
      'repository',
      'express',
      '4.18.2',
      'CVE-2024-29041',
    ),
    'scans/legacy.json': trivy(
      'registry.example.com/legacy/web:2.0.0',
      'container_image',
      'lodash',
      '4.17.20',
      'CVE-2021-23337',
    ),
  };
  const written: string[] = [];
  for (const [name, value] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, name.endsWith('.yaml') ? stringify(value) : JSON.stringify(value, null, 2));
    written.push(file);
  }
  return {
    dir,
    repos: { shop, payments },
    files: written,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Ingests the estate's files; throws if any file failed. */
export async function ingestEstate(db: Database, estate: Estate): Promise<void> {
  const results = await ingestInputs(db, await loadFormats(), estate.files, {
    limits: { timeoutMs: 5000, maxBytes: 1e7 },
  });
  const failed = results.filter(isFailure);
  if (failed.length) throw new Error(`estate ingest failed: ${JSON.stringify(failed)}`);
}
