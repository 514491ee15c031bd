import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADVISORIES, DEMO_EPSS, DEMO_KEV_ENTRIES } from '../../../src/demo/estate/advisories.ts';
import { DEMO_ASSETS } from '../../../src/demo/estate/assets.ts';
import { DEMO_DEPENDENCIES, DEMO_REPOSITORIES, type DemoDependency, VERSIONS } from '../../../src/demo/estate/repos.ts';
import { type DemoEstate, hasDemoEstate, writeDemoEstate } from '../../../src/demo/write-demo.ts';
import { type Advisory, AdvisorySchema, type AffectedPackage } from '../../../src/domain/advisory.ts';
import { type Asset, AssetSchema } from '../../../src/domain/asset.ts';
import { type Control, ControlSchema } from '../../../src/domain/control.ts';
import { type Finding, FindingSchema } from '../../../src/domain/finding.ts';
import { EpssScoreSchema, KevEntrySchema } from '../../../src/domain/intel.ts';
import type { ParsedRecord } from '../../../src/ingest/format.ts';
import { loadFormats } from '../../../src/ingest/registry.ts';
import { isAffected } from '../../../src/remediate/affected.ts';
import { fileSource, head, parseAll } from '../../helpers/fixtures.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const DAY = 86_400_000;

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** The format each demo file must be detected as, by its path under the demo folder. */
function expectedFormat(relative: string): string {
  if (relative === 'inventory.yaml') return 'inventory';
  if (relative.startsWith('advisories/')) return 'osv';
  if (relative.endsWith('known_exploited_vulnerabilities.json')) return 'kev';
  if (relative.endsWith('.csv')) return 'epss';
  if (relative.startsWith('scans/trivy-')) return 'trivy';
  if (relative.startsWith('scans/npm-audit-')) return 'npm-audit';
  if (relative.endsWith('.ocsf.json')) return 'prowler-ocsf';
  if (relative.endsWith('.sarif')) return 'sarif';
  throw new Error(`unexpected demo file ${relative}`);
}

/**
 * PyPI and Maven versions of the demo are all purely numeric dotted versions (asserted), so
 * comparing them part by part as numbers is exact for them (no pre-releases or qualifiers).
 */
function compareNumeric(a: string, b: string): number {
  const parts = (v: string) => {
    expect(v, `"${v}" must be a plain numeric version for this comparison`).toMatch(/^\d+(\.\d+)*$/);
    return v.split('.').map(Number);
  };
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** OSV range evaluation for introduced/fixed pairs, with the numeric comparison above. */
function inNumericRanges(version: string, affected: AffectedPackage): boolean {
  if (affected.versions.includes(version)) return true;
  return affected.ranges.some((range) => {
    const introduced = range.events.find((e) => e.introduced !== undefined)?.introduced ?? '0';
    const fixed = range.events.find((e) => e.fixed !== undefined)?.fixed;
    expect(range.events.length, 'demo advisories use one introduced/fixed pair per range').toBeLessThanOrEqual(2);
    const from = introduced === '0' || compareNumeric(introduced, version) <= 0;
    return from && (fixed === undefined || compareNumeric(version, fixed) < 0);
  });
}

function affects(ecosystem: string, version: string, affected: AffectedPackage): boolean {
  return ecosystem === 'npm' ? isAffected('npm', version, affected) : inNumericRanges(version, affected);
}

/** PEP 503 for PyPI names; Maven and npm names compare exactly. */
function samePackage(ecosystem: string, a: string, b: string): boolean {
  const norm = (name: string) => (ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name);
  return norm(a) === norm(b);
}

describe('the demo estate', () => {
  let dir: string;
  let estate: DemoEstate;
  const parsed = new Map<string, ParsedRecord[]>();
  const records = (type: ParsedRecord['type']) => [...parsed.values()].flat().filter((r) => r.type === type);
  let assets: Asset[];
  let controls: Control[];
  let advisories: Advisory[];
  let findings: Finding[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-demo-'));
    estate = await writeDemoEstate(dir, { now: NOW });
    const registry = await loadFormats();
    for (const file of estate.files) {
      const format = registry.detect(head(file), path.basename(file));
      expect(format.name, path.relative(dir, file)).toBe(expectedFormat(path.relative(dir, file)));
      parsed.set(file, await parseAll(format, fileSource(file)));
    }
    assets = records('asset').map((r) => AssetSchema.parse(r.type === 'asset' && r.value));
    controls = records('control').map((r) => ControlSchema.parse(r.type === 'control' && r.value));
    advisories = records('advisory').map((r) => AdvisorySchema.parse(r.type === 'advisory' && r.value));
    findings = records('finding').map((r) => FindingSchema.parse(r.type === 'finding' && r.value));
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('files', () => {
    it('lists the files in ingest order: inventory, advisories, KEV, EPSS, then scanner reports', () => {
      const kinds = estate.files.map((file) => expectedFormat(path.relative(dir, file)));
      const rank = (kind: string) => ['inventory', 'osv', 'kev', 'epss'].indexOf(kind);
      const ranks = kinds.map((kind) => (rank(kind) < 0 ? 4 : rank(kind)));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(new Set(kinds)).toEqual(
        new Set(['inventory', 'osv', 'kev', 'epss', 'trivy', 'npm-audit', 'prowler-ocsf', 'sarif']),
      );
      for (const file of estate.files) expect(path.isAbsolute(file) && fs.existsSync(file)).toBe(true);
    });

    it('every file parses with its format, and every record passes its domain schema', () => {
      for (const [file, list] of parsed) {
        const relative = path.relative(dir, file);
        // A clean scan may report nothing; every other file has records.
        if (relative !== 'scans/trivy-repo-storefront-web.json') expect(list.length, relative).toBeGreaterThan(0);
      }
      expect(records('kev').map((r) => r.type === 'kev' && KevEntrySchema.parse(r.value).cveId)).toEqual(
        DEMO_KEV_ENTRIES.map((e) => e.cveID),
      );
      expect(records('epss').map((r) => r.type === 'epss' && EpssScoreSchema.parse(r.value).cveId)).toEqual(
        DEMO_EPSS.map((row) => row.cve),
      );
      expect(advisories.map((a) => a.id)).toEqual(DEMO_ADVISORIES.map((a) => a.id));
      // The only warning is Prowler's passed check, which is not an exposure.
      expect(records('warning').map((r) => r.type === 'warning' && r.message)).toEqual([
        expect.stringContaining('s3_bucket_level_public_access_block" passed'),
      ]);
    });

    it('has findings from each native format: Trivy, npm audit, Prowler OCSF and SARIF', () => {
      const byFormat = (name: string) => findings.filter((f) => f.format === name);
      expect(byFormat('trivy').length).toBeGreaterThanOrEqual(20);
      expect(
        byFormat('npm-audit')
          .map((f) => f.ruleId)
          .sort(),
      ).toEqual([
        'GHSA-29mw-wpgm-hmr9',
        'GHSA-35jh-r3h4-6jhm',
        'GHSA-hjrf-2m68-5959',
        'GHSA-qw6h-vgh9-j6wx',
        'GHSA-qwph-4952-7xr6',
        'GHSA-rv95-896h-c2vc',
      ]);
      expect(byFormat('prowler-ocsf').map((f) => f.ruleId)).toEqual([
        'ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22',
        's3_bucket_level_public_access_block',
        'iam_customer_attached_policy_no_administrative_privileges',
      ]);
      const sast = byFormat('sarif');
      expect(sast.map((f) => f.cwes[0])).toEqual(['CWE-89', 'CWE-79', 'CWE-502']);
      expect(sast.every((f) => f.kind === 'code' && f.sourceTool.toLowerCase().includes('semgrep'))).toBe(true);
    });

    it('SAST results point at the lines of the repository that hold the flagged code', () => {
      const views = fs
        .readFileSync(path.join(estate.repos.recommendations!, 'recommendations/views.py'), 'utf8')
        .split('\n');
      const flagged = findings.filter((f) => f.format === 'sarif').map((f) => views[f.line! - 1]);
      expect(flagged).toEqual([
        expect.stringContaining('cursor.execute('),
        expect.stringContaining('HttpResponse("<h1>Recommended for " + name'),
        expect.stringContaining('yaml.load(request.body, Loader=yaml.Loader)'),
      ]);
    });
  });

  describe('inventory', () => {
    it('validates: unique ids, and every control scope names assets that exist', () => {
      expect(assets).toHaveLength(DEMO_ASSETS.length);
      expect(new Set(assets.map((a) => a.id)).size).toBe(assets.length);
      expect(new Set(controls.map((c) => c.id)).size).toBe(controls.length);
      const ids = new Set(assets.map((a) => a.id));
      for (const control of controls) {
        for (const id of control.scope.assetIds) expect(ids.has(id), `${control.id} -> ${id}`).toBe(true);
        const selects = assets.filter(
          (a) =>
            control.scope.assetIds.includes(a.id) ||
            a.tags.some((t) => control.scope.tags.includes(t)) ||
            control.scope.environments.includes(a.environment) ||
            (a.network !== null && a.network !== undefined && control.scope.networks.includes(a.network)),
        );
        expect(selects.length, `${control.id} protects something`).toBeGreaterThan(0);
      }
      const identifiers = assets.flatMap((a) => a.identifiers.map((i) => `${i.kind}:${i.value}`));
      expect(new Set(identifiers).size, 'an identifier belongs to one asset').toBe(identifiers.length);
    });

    it('has 30-50 assets of every listed kind across production, staging and development, each owned', () => {
      expect(assets.length).toBeGreaterThanOrEqual(30);
      expect(assets.length).toBeLessThanOrEqual(50);
      expect(new Set(assets.map((a) => a.environment))).toEqual(new Set(['production', 'staging', 'development']));
      for (const kind of ['repository', 'container_image', 'host', 'cloud_resource', 'identity', 'saas_app']) {
        expect(
          assets.some((a) => a.kind === kind),
          kind,
        ).toBe(true);
      }
      const webApps = assets.filter((a) => a.kind === 'container_image' && a.internetExposure === 'internet');
      expect(webApps.length).toBeGreaterThanOrEqual(2);
      expect(assets.some((a) => a.kind === 'container_image' && a.internetExposure === 'internal')).toBe(true);
      expect(assets.filter((a) => a.tags.includes('database')).length).toBeGreaterThanOrEqual(3);
      expect(assets.filter((a) => a.tags.includes('bucket')).length).toBeGreaterThanOrEqual(2);
      expect(assets.filter((a) => a.kind === 'identity' && a.id.startsWith('iam-role-')).length).toBeGreaterThan(1);
      for (const asset of assets) expect(asset.owner ?? asset.team, asset.id).toBeTruthy();
      expect(assets.some((a) => a.criticality === 'crown_jewel' && a.tags.includes('payments'))).toBe(true);
    });

    it('has 6-10 fresh controls: a WAF with rule sets and one virtual patch, EDR, segmentation, IAM boundary, config mitigation', () => {
      expect(controls.length).toBeGreaterThanOrEqual(6);
      expect(controls.length).toBeLessThanOrEqual(10);
      const kinds = new Set(controls.map((c) => c.kind));
      for (const kind of ['waf', 'edr', 'segmentation', 'iam_boundary', 'config_mitigation']) {
        expect(kinds.has(kind as Control['kind']), kind).toBe(true);
      }
      const waf = controls.find((c) => c.kind === 'waf')!;
      expect(waf.mode).toBe('block');
      expect(waf.rules.filter((r) => r.cves.length === 0).length).toBeGreaterThanOrEqual(2);
      expect(waf.rules.filter((r) => r.cves.length > 0).map((r) => r.cves)).toEqual([
        ['CVE-2021-23337', 'CVE-2020-28500'],
      ]);
      for (const control of controls) {
        const age = NOW.getTime() - control.lastVerifiedAt!.getTime();
        expect(age, control.id).toBeGreaterThan(0);
        expect(age, `${control.id} verified within the 30-day freshness window`).toBeLessThan(30 * DAY);
      }
    });

    it('places the scenarios: Log4Shell on an internet-facing production image, the WAF patch on a web image with lodash', () => {
      const log4jAssets = findings.filter((f) => f.ruleId === 'CVE-2021-44228').map((f) => f.assetHint[0]!.value);
      const byIdentifier = (value: string) => assets.find((a) => a.identifiers.some((i) => i.value === value))!;
      const prod = log4jAssets.map(byIdentifier).filter((a) => a.environment === 'production');
      expect(prod.map((a) => [a.kind, a.internetExposure])).toContainEqual(['container_image', 'internet']);
      const waf = controls.find((c) => c.kind === 'waf')!;
      const covered = assets.filter((a) => a.tags.some((t) => waf.scope.tags.includes(t)));
      expect(covered.map((a) => [a.kind, a.internetExposure])).toEqual([['container_image', 'internet']]);
      const image = covered[0]!.identifiers.find((i) => i.kind === 'image')!.value;
      expect(findings.filter((f) => f.assetHint.some((h) => h.value === image)).map((f) => f.ruleId)).toContain(
        'CVE-2021-23337',
      );
    });

    it('points each image with a Dockerfile at a repository that holds it, with the patched base image', () => {
      const built = assets.filter((a) => a.attributes.dockerfile);
      expect(built.length).toBeGreaterThanOrEqual(2);
      for (const asset of built) {
        const { repositoryAssetId, path: file } = asset.attributes.dockerfile as {
          repositoryAssetId: string;
          path: string;
        };
        const repo = assets.find((a) => a.id === repositoryAssetId)!;
        const dockerfile = fs.readFileSync(path.join(repo.attributes.checkoutPath as string, file), 'utf8');
        expect(dockerfile).toContain('FROM node:18.12.0-alpine3.16');
        expect(asset.attributes.patchedBaseImage).toBe('node:18.20.4-alpine3.20');
      }
    });
  });

  describe('advisories', () => {
    const usesOf = (ecosystem: string, name: string): DemoDependency[] =>
      DEMO_DEPENDENCIES.filter((d) => d.ecosystem === ecosystem && samePackage(ecosystem, d.package, name));

    it('every advisory affects a package version the demo uses, and every use of its packages', () => {
      for (const advisory of advisories) {
        const used = [...new Set(advisory.affected.flatMap((a) => usesOf(a.ecosystem, a.package)))];
        expect(used.length, `${advisory.id} names a package the demo uses`).toBeGreaterThan(0);
        for (const use of used) {
          const entries = advisory.affected.filter(
            (a) => a.ecosystem === use.ecosystem && samePackage(use.ecosystem, a.package, use.package),
          );
          expect(
            entries.some((entry) => affects(use.ecosystem, use.version, entry)),
            `${advisory.id}: ${use.package}@${use.version} is in an affected range`,
          ).toBe(true);
        }
      }
    });

    it('the range check can fail: fixed versions are outside the ranges', () => {
      const log4shell = advisories.find((a) => a.id === 'GHSA-jfh8-c2jp-5v3q')!;
      expect(log4shell.affected.some((a) => affects('Maven', '2.14.1', a))).toBe(true);
      expect(log4shell.affected.some((a) => affects('Maven', '2.15.0', a))).toBe(false);
      const lodash = advisories.find((a) => a.id === 'GHSA-35jh-r3h4-6jhm')!.affected[0]!;
      expect([affects('npm', VERSIONS.lodash, lodash), affects('npm', '4.17.21', lodash)]).toEqual([true, false]);
    });

    it('every scanner finding with an advisory names a version in its range and fixed versions outside it', () => {
      const byAlias = new Map(advisories.flatMap((a) => [a.id, ...a.aliases].map((id) => [id, a] as const)));
      let checked = 0;
      for (const finding of findings.filter((f) => f.kind === 'package' && f.format === 'trivy')) {
        const advisory = byAlias.get(finding.ruleId);
        if (!advisory) continue; // OS packages (Alpine) carry their fixed versions in the scan itself
        const entries = advisory.affected.filter((a) => samePackage(a.ecosystem, a.package, finding.packageName!));
        expect(entries.length, `${finding.ruleId} names ${finding.packageName}`).toBeGreaterThan(0);
        const ecosystem = entries[0]!.ecosystem;
        expect(entries.some((e) => affects(ecosystem, finding.packageVersion!, e))).toBe(true);
        for (const fixed of finding.fixedVersions) {
          expect(
            entries.some((e) => affects(ecosystem, fixed, e)),
            `${finding.ruleId} fixed ${fixed}`,
          ).toBe(false);
        }
        checked += 1;
      }
      expect(checked).toBeGreaterThanOrEqual(15);
    });

    it('KEV lists Log4Shell (added 2021-12-10) and only CVEs of the demo advisories', () => {
      const kev = records('kev').map((r) => (r.type === 'kev' ? KevEntrySchema.parse(r.value) : null)!);
      expect(kev.find((e) => e.cveId === 'CVE-2021-44228')).toMatchObject({
        dateAdded: '2021-12-10',
        ransomware: true,
      });
      const aliases = new Set(advisories.flatMap((a) => a.aliases));
      for (const entry of kev) expect(aliases.has(entry.cveId), entry.cveId).toBe(true);
    });
  });

  describe('repositories', () => {
    it('creates 4-5 git repositories, each with exactly one commit on main and a clean tree', () => {
      const names = Object.keys(estate.repos);
      expect(names.length).toBeGreaterThanOrEqual(4);
      expect(names.length).toBeLessThanOrEqual(5);
      for (const [name, checkout] of Object.entries(estate.repos)) {
        expect(checkout).toBe(path.join(dir, 'repos', name));
        expect(git(checkout, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
        expect(git(checkout, 'rev-list', '--count', 'main')).toBe('1');
        expect(git(checkout, 'status', '--porcelain')).toBe('');
        const repo = DEMO_REPOSITORIES.find((r) => r.name === name)!;
        expect(git(checkout, 'ls-files').split('\n').sort()).toEqual(Object.keys(repo.files).sort());
      }
    });

    it('gives each repository asset the real checkout path', () => {
      const repoAssets = assets.filter((a) => a.kind === 'repository');
      expect(repoAssets.map((a) => a.attributes.checkoutPath).sort()).toEqual(Object.values(estate.repos).sort());
    });

    it('holds the vulnerable manifests and misconfigurations the scans report', () => {
      const read = (name: string, file: string) => fs.readFileSync(path.join(estate.repos[name]!, file), 'utf8');
      const pkg = JSON.parse(read('payments-api', 'package.json'));
      expect(pkg.dependencies).toMatchObject({ lodash: '4.17.20', express: '4.18.2' });
      expect(read('recommendations', 'requirements.txt')).toMatch(/^Django==3\.2\.3$/m);
      expect(read('recommendations', 'requirements.txt')).toMatch(/^PyYAML==5\.3\.1$/m);
      const pom = read('inventory-service', 'pom.xml');
      expect(pom).toContain('<log4j.version>2.14.1</log4j.version>');
      expect(pom).toMatch(/<artifactId>log4j-core<\/artifactId>\s*<version>\$\{log4j\.version\}<\/version>/);
      const tf = read('platform-infra', 'main.tf');
      expect(tf).toMatch(/from_port\s+= 22[\s\S]*?cidr_blocks = \["0\.0\.0\.0\/0"\]/);
      expect(tf).toContain('resource "aws_s3_bucket" "marketing_assets"');
      expect(tf).not.toMatch(/aws_s3_bucket_public_access_block" "marketing_assets"/);
      expect(tf).toMatch(/Action\s+= "\*"/);
      const froms = read('storefront-web', 'Dockerfile').match(/^FROM node:18\.12\.0-alpine3\.16\b.*$/gm);
      expect(froms).toEqual(['FROM node:18.12.0-alpine3.16 AS build', 'FROM node:18.12.0-alpine3.16']);
    });

    it('is idempotent: a second run reuses the repositories and names the same files', async () => {
      const before = Object.fromEntries(Object.entries(estate.repos).map(([n, p]) => [n, git(p, 'rev-parse', 'HEAD')]));
      // Given a fix branch committed in one repository since the first run
      const shop = estate.repos['payments-api']!;
      git(shop, 'checkout', '-q', '-b', 'mobilize/fix-1');
      fs.writeFileSync(path.join(shop, 'NOTE.md'), 'fix\n');
      git(shop, 'add', 'NOTE.md');
      git(shop, 'commit', '-q', '-m', 'fix');
      git(shop, 'checkout', '-q', 'main');
      // When the demo is written again
      expect(await hasDemoEstate(dir)).toBe(true);
      const again = await writeDemoEstate(dir, { now: NOW });
      // Then nothing was recreated
      expect(again).toEqual(estate);
      const after = Object.fromEntries(Object.entries(again.repos).map(([n, p]) => [n, git(p, 'rev-parse', 'HEAD')]));
      expect(after).toEqual(before);
      expect(git(shop, 'branch', '--list', 'mobilize/*')).toContain('mobilize/fix-1');
    });

    it('knows a folder without a demo', async () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-no-demo-'));
      try {
        expect(await hasDemoEstate(empty)).toBe(false);
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });
  });
});
