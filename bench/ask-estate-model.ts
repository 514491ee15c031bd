/**
 * The synthetic estate of `bench:ask`, as plain rows: assets of a dozen teams across networks,
 * advisories (a few well-known ones plus a long tail, skewed so some hit many assets), controls
 * that cover part of the estate, and exposures with findings and a lifecycle (opened over the
 * last year, some resolved, mitigated or accepted). Pure: the same seed gives the same estate.
 */
import crypto from 'node:crypto';
import { correlationKey, exposureIdFor } from '../src/services/ingest/correlate.ts';
import type { Random } from './seeded-random.ts';

const DAY_MS = 86_400_000;

export const TEAMS = [
  'payments-platform',
  'checkout',
  'identity-and-access',
  'cloud-platform',
  'search',
  'data-platform',
  'mobile-api',
  'web-storefront',
  'billing',
  'growth',
  'risk-engine',
  'infra-core',
] as const;

/** Networks: only dmz-* are internet-facing; WAFs front dmz-0 .. dmz-8, so dmz-9 .. dmz-11 have none. */
const DMZ_NETWORKS = 12;
const WAF_FRONTED_DMZ = 9;

export type AssetRow = {
  id: string;
  name: string;
  kind: 'host' | 'container_image' | 'repository' | 'cloud_resource' | 'identity';
  environment: 'production' | 'staging' | 'development' | 'test';
  criticality: 'crown_jewel' | 'high' | 'medium' | 'low';
  internetExposure: 'internet' | 'internal' | 'isolated' | 'unknown';
  dataSensitivity: 'restricted' | 'confidential' | 'internal' | 'public';
  team: string | null;
  network: string;
  tags: string[];
  identifier: { kind: string; value: string };
};

export type AdvisoryRow = {
  id: string;
  aliases: string[];
  title: string;
  details: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  cvssVector: string;
  cvssScore: number;
  cwes: string[];
  ecosystem: string;
  packageName: string;
  fixed: string;
  publishedAt: Date;
  modifiedAt: Date;
  kev: { dateAdded: string; ransomware: boolean } | null;
  epss: { score: number; percentile: number };
};

export type ControlRow = {
  id: string;
  name: string;
  kind: 'waf' | 'edr' | 'firewall' | 'segmentation' | 'iam_boundary' | 'runtime_protection';
  product: string;
  mode: 'block' | 'detect';
  scope: { assetIds?: string[]; tags?: string[]; environments?: string[]; networks?: string[] };
  capabilities: string[];
  rules: { id: string; name: string; cves: string[] }[];
  enabled: boolean;
  lastVerifiedAt: Date;
};

export type Lifecycle = {
  state: 'open' | 'in_progress' | 'awaiting_approval' | 'mitigated' | 'resolved' | 'accepted';
  openedAt: Date;
  resolvedAt: Date | null;
  mitigatedAt: Date | null;
  acceptedUntil: Date | null;
};

export type ExposureRow = {
  id: string;
  correlationKey: string;
  assetId: string;
  advisoryId: string | null;
  vulnerabilityId: string;
  kind: 'package' | 'misconfiguration' | 'secret';
  component: string;
  ecosystem: string | null;
  title: string;
  severity: string;
  kev: boolean;
  lifecycle: Lifecycle;
};

export type FindingRow = {
  fingerprint: string;
  exposureId: string;
  assetId: string;
  sourceTool: string;
  format: string;
  ruleId: string;
  kind: ExposureRow['kind'];
  packageName: string | null;
  ecosystem: string | null;
  packageVersion: string | null;
  fixedVersions: string[];
  resource: string | null;
  location: string | null;
  line: number | null;
  severity: string;
  cvssScore: number | null;
  cvssVector: string | null;
  cwes: string[];
  title: string;
  fixed: boolean;
};

const PACKAGES: Record<string, readonly string[]> = {
  npm: ['lodash', 'express', 'axios', 'minimist', 'jsonwebtoken', 'moment', 'node-fetch', 'ws', 'semver', 'tar'],
  Maven: [
    'org.apache.logging.log4j:log4j-core',
    'com.fasterxml.jackson.core:jackson-databind',
    'org.springframework:spring-web',
    'org.springframework:spring-beans',
    'org.apache.commons:commons-text',
    'org.yaml:snakeyaml',
    'io.netty:netty-codec-http2',
  ],
  PyPI: ['django', 'requests', 'pyyaml', 'urllib3', 'jinja2', 'cryptography', 'pillow', 'flask', 'aiohttp'],
  Go: ['golang.org/x/net', 'golang.org/x/crypto', 'github.com/gin-gonic/gin', 'google.golang.org/grpc'],
  Debian: ['openssl', 'glibc', 'curl', 'zlib', 'libxml2', 'openssh', 'xz-utils', 'sudo'],
};

const WEAKNESSES: readonly (readonly [string, string, number])[] = [
  ['CWE-79', 'Cross-site scripting', 14],
  ['CWE-89', 'SQL injection', 8],
  ['CWE-94', 'Code injection', 6],
  ['CWE-78', 'OS command injection', 5],
  ['CWE-502', 'Deserialization of untrusted data', 6],
  ['CWE-22', 'Path traversal', 7],
  ['CWE-918', 'Server-side request forgery', 4],
  ['CWE-611', 'XML external entity expansion', 3],
  ['CWE-400', 'Uncontrolled resource consumption (denial of service)', 14],
  ['CWE-787', 'Out-of-bounds write', 6],
  ['CWE-125', 'Out-of-bounds read', 6],
  ['CWE-287', 'Improper authentication', 4],
  ['CWE-269', 'Improper privilege management', 3],
  ['CWE-200', 'Exposure of sensitive information', 6],
  ['CWE-1321', 'Prototype pollution', 4],
  ['CWE-352', 'Cross-site request forgery', 4],
];

const VECTORS: readonly (readonly [string, number, number])[] = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 18],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5, 20],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 16],
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8, 12],
  ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8, 10],
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 5.9, 10],
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N', 4.3, 8],
  ['CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N', 2.5, 6],
];

/** Real, well-known advisories at the head of the popularity list, so questions can name them. */
const KNOWN: readonly Omit<AdvisoryRow, 'publishedAt' | 'modifiedAt' | 'details' | 'severity'>[] = [
  {
    id: 'CVE-2021-44228',
    aliases: ['GHSA-jfh8-c2jp-5v3q'],
    title: 'Apache Log4j2 JNDI lookup remote code execution (Log4Shell)',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
    cvssScore: 10,
    cwes: ['CWE-917', 'CWE-502'],
    ecosystem: 'Maven',
    packageName: 'org.apache.logging.log4j:log4j-core',
    fixed: '2.17.1',
    kev: { dateAdded: '2021-12-10', ransomware: true },
    epss: { score: 0.944, percentile: 0.9999 },
  },
  {
    id: 'CVE-2022-22965',
    aliases: ['GHSA-36p3-wjmg-h94x'],
    title: 'Spring Framework data binding remote code execution (Spring4Shell)',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    cvssScore: 9.8,
    cwes: ['CWE-94'],
    ecosystem: 'Maven',
    packageName: 'org.springframework:spring-beans',
    fixed: '5.3.18',
    kev: { dateAdded: '2022-04-04', ransomware: false },
    epss: { score: 0.943, percentile: 0.9996 },
  },
  {
    id: 'CVE-2023-44487',
    aliases: ['GHSA-qppj-fm5r-hxr3'],
    title: 'HTTP/2 Rapid Reset denial of service',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
    cvssScore: 7.5,
    cwes: ['CWE-400'],
    ecosystem: 'Maven',
    packageName: 'io.netty:netty-codec-http2',
    fixed: '4.1.100.Final',
    kev: { dateAdded: '2023-10-10', ransomware: false },
    epss: { score: 0.82, percentile: 0.998 },
  },
  {
    id: 'CVE-2022-42889',
    aliases: ['GHSA-599f-7c49-w659'],
    title: 'Apache Commons Text variable interpolation code execution (Text4Shell)',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    cvssScore: 9.8,
    cwes: ['CWE-94'],
    ecosystem: 'Maven',
    packageName: 'org.apache.commons:commons-text',
    fixed: '1.10.0',
    kev: null,
    epss: { score: 0.97, percentile: 0.9997 },
  },
  {
    id: 'CVE-2021-23337',
    aliases: ['GHSA-35jh-r3h4-6jhm'],
    title: 'Command injection in lodash template',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
    cvssScore: 7.2,
    cwes: ['CWE-94', 'CWE-77'],
    ecosystem: 'npm',
    packageName: 'lodash',
    fixed: '4.17.21',
    kev: null,
    epss: { score: 0.012, percentile: 0.84 },
  },
  {
    id: 'CVE-2014-0160',
    aliases: [],
    title: 'OpenSSL TLS heartbeat out-of-bounds read (Heartbleed)',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
    cvssScore: 7.5,
    cwes: ['CWE-125'],
    ecosystem: 'Debian',
    packageName: 'openssl',
    fixed: '1.0.1g',
    kev: { dateAdded: '2022-05-04', ransomware: false },
    epss: { score: 0.97, percentile: 0.9998 },
  },
];

const MISCONFIGURATIONS = [
  ['AVD-AWS-0086', 'S3 bucket does not block public ACLs', 'high'],
  ['AVD-AWS-0107', 'Security group allows ingress from 0.0.0.0/0 to SSH', 'critical'],
  ['AVD-AWS-0057', 'IAM policy grants wildcard actions', 'high'],
  ['AVD-AWS-0080', 'RDS instance storage is not encrypted', 'medium'],
  ['AVD-KSV-0017', 'Container runs privileged', 'high'],
  ['AVD-KSV-0012', 'Container runs as root', 'medium'],
  ['AVD-DS-0002', 'Dockerfile has no USER instruction', 'low'],
  ['AVD-AWS-0028', 'EC2 instance metadata service v1 enabled', 'medium'],
] as const;

const SECRETS = [
  ['aws-access-key-id', 'AWS access key in source', 'critical'],
  ['github-pat', 'GitHub personal access token in source', 'high'],
  ['private-key', 'Private key in image layer', 'high'],
  ['slack-webhook-url', 'Slack webhook URL in configuration', 'medium'],
] as const;

function severityOf(score: number): AdvisoryRow['severity'] {
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
}

function version(random: Random): string {
  return `${random.int(6)}.${random.int(20)}.${random.int(15)}`;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function generateAssets(random: Random, count: number): AssetRow[] {
  const assets: AssetRow[] = [];
  for (let i = 0; i < count; i++) {
    const kind = random.weighted<AssetRow['kind']>([
      ['container_image', 40],
      ['host', 25],
      ['repository', 15],
      ['cloud_resource', 15],
      ['identity', 5],
    ]);
    const team = random.chance(0.85) ? random.pick(TEAMS) : null;
    const environment = random.weighted<AssetRow['environment']>([
      ['production', 40],
      ['staging', 20],
      ['development', 25],
      ['test', 15],
    ]);
    const internetExposure =
      kind === 'identity' || kind === 'repository'
        ? 'internal'
        : random.weighted<AssetRow['internetExposure']>([
            ['internet', 25],
            ['internal', 60],
            ['isolated', 10],
            ['unknown', 5],
          ]);
    const criticality = random.weighted<AssetRow['criticality']>([
      ['crown_jewel', 5],
      ['high', 20],
      ['medium', 45],
      ['low', 30],
    ]);
    const dataSensitivity = random.weighted<AssetRow['dataSensitivity']>([
      ['restricted', 10],
      ['confidential', 30],
      ['internal', 45],
      ['public', 15],
    ]);
    const network =
      internetExposure === 'internet'
        ? `dmz-${random.int(DMZ_NETWORKS)}`
        : internetExposure === 'isolated'
          ? `isolated-${random.int(4)}`
          : `internal-${random.int(20)}`;
    const service = `${(team ?? 'shared').split('-')[0]}-svc-${i}`;
    const tags = [environment === 'production' ? 'prod' : 'nonprod'];
    if (team === 'payments-platform') tags.push('payments', 'pci');
    if (kind === 'host') tags.push('linux-fleet');
    if (kind === 'cloud_resource') tags.push('aws');
    if (dataSensitivity === 'restricted') tags.push('pii');
    if (internetExposure === 'internet') tags.push('web');
    const identifier =
      kind === 'container_image'
        ? { kind: 'image', value: `registry.example.com/${team ?? 'shared'}/${service}` }
        : kind === 'host'
          ? { kind: 'hostname', value: `${service}.${environment}.internal` }
          : kind === 'repository'
            ? { kind: 'repository_url', value: `https://git.example.com/${team ?? 'shared'}/${service}` }
            : kind === 'cloud_resource'
              ? { kind: 'arn', value: `arn:aws:s3:::${service}-${environment}` }
              : { kind: 'name', value: `role/${service}` };
    assets.push({
      id: `asset-${i}`,
      name: service,
      kind,
      environment,
      criticality,
      internetExposure,
      dataSensitivity,
      team,
      network,
      tags,
      identifier,
    });
  }
  return assets;
}

/** The well-known advisories first, then a long tail; the list's order is its popularity order. */
export function generateAdvisories(random: Random, count: number, now: Date): AdvisoryRow[] {
  const advisories: AdvisoryRow[] = KNOWN.map((known) => {
    const publishedAt = new Date(`${known.kev?.dateAdded ?? '2022-10-13'}T00:00:00Z`);
    return {
      ...known,
      severity: severityOf(known.cvssScore),
      details: `${known.packageName} (${known.ecosystem}) before ${known.fixed}: ${known.title}.`,
      publishedAt,
      modifiedAt: new Date(publishedAt.getTime() + 30 * DAY_MS),
    };
  });
  for (let i = advisories.length; i < count; i++) {
    const ecosystem = random.weighted([
      ['npm', 35],
      ['Maven', 20],
      ['PyPI', 20],
      ['Go', 10],
      ['Debian', 15],
    ] as const);
    const packageName = random.chance(0.6) ? random.pick(PACKAGES[ecosystem]!) : `${ecosystem.toLowerCase()}-lib-${i}`;
    const [cwe, weakness] = random.weighted(WEAKNESSES.map((w) => [[w[0], w[1]], w[2]] as const));
    const [cvssVector, cvssScore] = random.weighted(VECTORS.map((v) => [[v[0], v[1]], v[2]] as const));
    const year = 2018 + random.int(8);
    const publishedAt = new Date(Date.UTC(year, random.int(12), 1 + random.int(28)));
    const kev = random.chance(0.03)
      ? { dateAdded: isoDay(new Date(now.getTime() - random.int(1000) * DAY_MS)), ransomware: random.chance(0.2) }
      : null;
    const score = kev ? 0.3 + 0.67 * random.next() : 0.6 * random.next() ** 5;
    const fixed = version(random);
    advisories.push({
      id: `CVE-${year}-${String(10_000 + i)}`,
      aliases: random.chance(0.4) ? [`GHSA-${ghsaPart(random)}-${ghsaPart(random)}-${ghsaPart(random)}`] : [],
      title: `${weakness} in ${packageName}`,
      details: `${packageName} (${ecosystem}) before ${fixed} is vulnerable to ${weakness.toLowerCase()}.`,
      severity: severityOf(cvssScore),
      cvssVector,
      cvssScore,
      cwes: [cwe],
      ecosystem,
      packageName,
      fixed,
      publishedAt,
      modifiedAt: new Date(publishedAt.getTime() + random.int(200) * DAY_MS),
      kev,
      epss: { score: Math.round(score * 10_000) / 10_000, percentile: Math.min(0.9999, score ** 0.2) },
    });
  }
  return advisories;
}

function ghsaPart(random: Random): string {
  const alphabet = '23456789cfghjmpqrvwx';
  return Array.from({ length: 4 }, () => random.pick([...alphabet])).join('');
}

export function generateControls(random: Random, count: number, advisories: AdvisoryRow[], now: Date): ControlRow[] {
  const kevIds = advisories.filter((a) => a.kev).map((a) => a.id);
  const controls: ControlRow[] = [];
  for (let i = 0; i < count; i++) {
    const kind = random.weighted<ControlRow['kind']>([
      ['waf', 35],
      ['edr', 20],
      ['segmentation', 12],
      ['firewall', 8],
      ['iam_boundary', 10],
      ['runtime_protection', 15],
    ]);
    const base = {
      id: `control-${kind}-${i}`,
      kind,
      mode: random.chance(0.85) ? ('block' as const) : ('detect' as const),
      enabled: random.chance(0.95),
      // Verified in the last 40 days: a quarter are past the 30-day freshness window.
      lastVerifiedAt: new Date(now.getTime() - random.next() * 40 * DAY_MS),
      rules: [] as ControlRow['rules'],
    };
    if (kind === 'waf') {
      const nets = [`dmz-${random.int(WAF_FRONTED_DMZ)}`, `dmz-${random.int(WAF_FRONTED_DMZ)}`];
      const capabilities = ['injection', 'rce', 'path_traversal', 'ssrf', 'xxe', 'deserialization', 'xss'].filter(() =>
        random.chance(0.6),
      );
      // Some WAFs carry virtual patches for known-exploited CVEs (Log4Shell on a few of them).
      const rules = random.chance(0.3)
        ? [
            {
              id: `vp-${i}`,
              name: 'virtual patches',
              cves: [...new Set([random.chance(0.5) ? 'CVE-2021-44228' : random.pick(kevIds), random.pick(kevIds)])],
            },
          ]
        : [];
      controls.push({
        ...base,
        name: `WAF ${i}`,
        product: random.pick(['AWS WAF', 'Cloudflare WAF', 'F5 Advanced WAF']),
        scope: { networks: [...new Set(nets)] },
        capabilities,
        rules,
      });
    } else if (kind === 'edr') {
      controls.push({
        ...base,
        name: `EDR ${i}`,
        product: random.pick(['CrowdStrike Falcon', 'Microsoft Defender for Endpoint', 'SentinelOne']),
        scope: random.chance(0.5) ? { environments: ['production'] } : { tags: ['linux-fleet'] },
        capabilities: [],
      });
    } else if (kind === 'segmentation' || kind === 'firewall') {
      controls.push({
        ...base,
        name: `${kind === 'firewall' ? 'Firewall' : 'Segment'} ${i}`,
        product: random.pick(['Illumio', 'AWS Security Groups', 'Palo Alto NGFW']),
        scope: { networks: [`internal-${random.int(20)}`, `isolated-${random.int(4)}`] },
        capabilities: [kind === 'firewall' ? 'internet_block' : 'network_isolation'],
      });
    } else if (kind === 'iam_boundary') {
      controls.push({
        ...base,
        name: `Permission boundary ${i}`,
        product: 'AWS IAM',
        scope: { tags: ['aws'] },
        capabilities: ['privilege_escalation'],
      });
    } else {
      controls.push({
        ...base,
        name: `Runtime protection ${i}`,
        product: random.pick(['Falco', 'Sysdig Secure', 'Aqua Enforcer']),
        scope: { tags: [random.pick(['prod', 'pci', 'web'])] },
        capabilities: ['code_execution_prevention'],
      });
    }
  }
  return controls;
}

/** When an exposure was opened (recent more often) and where its lifecycle stands now. */
function lifecycle(random: Random, now: Date): Lifecycle {
  const ageDays = 365 * random.next() ** 1.5;
  const openedAt = new Date(now.getTime() - ageDays * DAY_MS);
  const state = random.weighted<Lifecycle['state']>([
    ['open', 78],
    ['in_progress', 4],
    ['awaiting_approval', 2],
    ['mitigated', 4],
    ['resolved', 10],
    ['accepted', 2],
  ]);
  const after = (maxDays: number) => new Date(openedAt.getTime() + Math.min(ageDays, random.next() * maxDays) * DAY_MS);
  return {
    state,
    openedAt,
    resolvedAt: state === 'resolved' ? after(60) : null,
    mitigatedAt: state === 'mitigated' ? after(20) : null,
    acceptedUntil: state === 'accepted' ? new Date(now.getTime() + (30 + random.int(150)) * DAY_MS) : null,
  };
}

/** Popular advisories hit many assets: index = count * u^2 puts ~1% of package exposures on the first. */
function popularAdvisory(random: Random, advisories: AdvisoryRow[]): AdvisoryRow {
  return advisories[Math.floor(advisories.length * random.next() ** 2)]!;
}

export function generateExposures(
  random: Random,
  count: number,
  assets: AssetRow[],
  advisories: AdvisoryRow[],
  now: Date,
): { exposures: ExposureRow[]; findings: FindingRow[] } {
  const exposures: ExposureRow[] = [];
  const findings: FindingRow[] = [];
  const seen = new Set<string>();
  while (exposures.length < count) {
    const asset = random.pick(assets);
    const kind = random.weighted<ExposureRow['kind']>([
      ['package', 90],
      ['misconfiguration', asset.kind === 'cloud_resource' || asset.kind === 'container_image' ? 7 : 0],
      ['secret', asset.kind === 'repository' || asset.kind === 'container_image' ? 3 : 0],
    ]);
    const advisory = kind === 'package' ? popularAdvisory(random, advisories) : null;
    const misconfiguration = random.pick(MISCONFIGURATIONS);
    const secret = random.pick(SECRETS);
    const line = 1 + random.int(400);
    const vulnerabilityId = advisory?.id ?? (kind === 'secret' ? secret[0] : misconfiguration[0]);
    const component = advisory
      ? `${advisory.ecosystem.toLowerCase()}/${advisory.packageName.toLowerCase()}`
      : kind === 'secret'
        ? `src/config/${random.pick(['settings.py', 'app.env', 'deploy.yaml', 'config.json'])}:${line}`
        : asset.identifier.value;
    // The ingest pipeline's own correlation key and id, so ids look like the real thing.
    const key = correlationKey(
      asset.id,
      {
        kind,
        ecosystem: advisory?.ecosystem,
        packageName: advisory?.packageName,
        resource: component,
        location: component.split(':')[0],
        line,
      } as Parameters<typeof correlationKey>[1],
      vulnerabilityId,
    );
    if (seen.has(key)) continue;
    seen.add(key);
    const id = exposureIdFor(key);
    const severity = advisory?.severity ?? (kind === 'secret' ? secret[2] : misconfiguration[2]);
    const title = advisory ? `${advisory.id}: ${advisory.title}` : kind === 'secret' ? secret[1] : misconfiguration[1];
    const life = lifecycle(random, now);
    exposures.push({
      id,
      correlationKey: key,
      assetId: asset.id,
      advisoryId: advisory?.id ?? null,
      vulnerabilityId,
      kind,
      component,
      ecosystem: advisory?.ecosystem ?? null,
      title,
      severity,
      kev: Boolean(advisory?.kev),
      lifecycle: life,
    });
    const tools = kind === 'package' ? (random.chance(0.3) ? ['trivy', 'grype'] : ['trivy']) : [];
    if (kind === 'misconfiguration') tools.push(asset.kind === 'cloud_resource' ? 'prowler' : 'trivy');
    if (kind === 'secret') tools.push('gitleaks');
    for (const tool of tools) {
      findings.push({
        fingerprint: crypto.createHash('sha256').update(`${tool}\u0000${key}`).digest('hex'),
        exposureId: id,
        assetId: asset.id,
        sourceTool: tool,
        format: tool === 'prowler' ? 'prowler-ocsf' : tool === 'gitleaks' ? 'sarif' : tool,
        ruleId: vulnerabilityId,
        kind,
        packageName: advisory?.packageName ?? null,
        ecosystem: advisory?.ecosystem ?? null,
        packageVersion: advisory ? version(random) : null,
        fixedVersions: advisory ? [advisory.fixed] : [],
        resource: kind === 'misconfiguration' ? component : null,
        location: kind === 'secret' ? component.split(':')[0]! : null,
        line: kind === 'secret' ? line : null,
        severity,
        cvssScore: advisory?.cvssScore ?? null,
        cvssVector: advisory?.cvssVector ?? null,
        cwes: advisory?.cwes ?? [],
        title,
        fixed: life.state === 'resolved',
      });
    }
  }
  return { exposures, findings };
}

/** The summary paragraph the summarizer would store for an advisory (text is what gets embedded). */
export function summaryText(advisory: AdvisoryRow): string {
  const exploitation = advisory.kev
    ? `It is listed in CISA KEV since ${advisory.kev.dateAdded}${advisory.kev.ransomware ? ' and used in ransomware campaigns' : ''}.`
    : `It is not in CISA KEV; EPSS gives ${(advisory.epss.score * 100).toFixed(1)}% exploitation probability.`;
  return `${advisory.title}. ${advisory.packageName} (${advisory.ecosystem}) versions before ${advisory.fixed} are affected (${advisory.cwes.join(', ')}). ${exploitation} Upgrade to ${advisory.fixed} or later.`;
}
