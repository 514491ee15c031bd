import crypto from 'node:crypto';
import { ARNS, AWS_ACCOUNT, AWS_REGION, IMAGES, NPM_AUDIT_FILE, REPOS, TERRAFORM } from './ids.ts';
import { JACKSON_DATABIND, LOG4J_CORE, lineOf, VERSIONS } from './repos.ts';

/**
 * The demo's scanner reports, each in its tool's native format and written from the estate
 * itself: the images and repositories the inventory lists, the versions the repositories pin and
 * the lines their files hold. Vulnerability facts (ids, fixed versions, CVSS, CWEs) are the
 * published ones for those versions.
 */

/** A file of the demo: path relative to the demo folder, and its text. */
export type DemoFile = { path: string; content: string };

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A stable, well-formed digest for a demo image (the demo registry is not real). */
function digestOf(reference: string): string {
  return `sha256:${crypto.createHash('sha256').update(reference).digest('hex')}`;
}

type Cvss = { vector: string; score: number };

/** Published facts of one vulnerability, as Trivy's database reports them. */
type VulnerabilityFacts = {
  title: string;
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  cwes: string[];
  cvss: Cvss;
  /** Trivy's FixedVersion: every release line that fixes it. */
  fixed: string;
  source: 'ghsa' | 'alpine';
};

const VULNERABILITIES: Record<string, VulnerabilityFacts> = {
  'CVE-2021-23337': {
    title: 'nodejs-lodash: command injection via template',
    severity: 'HIGH',
    cwes: ['CWE-77', 'CWE-94'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', score: 7.2 },
    fixed: '4.17.21',
    source: 'ghsa',
  },
  'CVE-2020-28500': {
    title: 'nodejs-lodash: ReDoS via the toNumber, trim and trimEnd functions',
    severity: 'MEDIUM',
    cwes: ['CWE-1333', 'CWE-400'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', score: 5.3 },
    fixed: '4.17.21',
    source: 'ghsa',
  },
  'CVE-2021-44228': {
    title: 'log4j-core: Remote code execution in Log4j 2.x when logs contain an attacker-controlled string value',
    severity: 'CRITICAL',
    cwes: ['CWE-20', 'CWE-400', 'CWE-502', 'CWE-917'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 10 },
    fixed: '2.15.0, 2.3.1, 2.12.2',
    source: 'ghsa',
  },
  'CVE-2021-45046': {
    title: 'log4j-core: DoS in log4j 2.x with thread context message pattern and context lookup pattern',
    severity: 'CRITICAL',
    cwes: ['CWE-502', 'CWE-917'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 9 },
    fixed: '2.16.0, 2.12.2',
    source: 'ghsa',
  },
  'CVE-2020-36518': {
    title: 'jackson-databind: denial of service via a large depth of nested objects',
    severity: 'HIGH',
    cwes: ['CWE-787'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5 },
    fixed: '2.12.6.1, 2.13.2.1',
    source: 'ghsa',
  },
  'CVE-2021-33203': {
    title: 'django: potential directory traversal via admindocs',
    severity: 'MEDIUM',
    cwes: ['CWE-22'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:N', score: 4.9 },
    fixed: '2.2.24, 3.1.12, 3.2.4',
    source: 'ghsa',
  },
  'CVE-2021-44420': {
    title: 'django: potential bypass of an upstream access control based on URL paths',
    severity: 'HIGH',
    cwes: ['CWE-287'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L', score: 7.3 },
    fixed: '2.2.25, 3.1.14, 3.2.10',
    source: 'ghsa',
  },
  'CVE-2020-14343': {
    title: 'PyYAML: incomplete fix for CVE-2020-1747',
    severity: 'CRITICAL',
    cwes: ['CWE-20'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
    fixed: '5.4',
    source: 'ghsa',
  },
  'CVE-2022-29217': {
    title: 'python-jwt: key confusion through non-blocklisted public key formats',
    severity: 'HIGH',
    cwes: ['CWE-327'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', score: 7.4 },
    fixed: '2.4.0',
    source: 'ghsa',
  },
  'CVE-2023-0286': {
    title: 'openssl: X.400 address type confusion in X.509 GeneralName',
    severity: 'HIGH',
    cwes: ['CWE-843'],
    cvss: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H', score: 7.4 },
    fixed: '1.1.1t-r0',
    source: 'alpine',
  },
};

const DATA_SOURCES = {
  ghsa: { ID: 'ghsa', Name: 'GitHub Security Advisory', URL: 'https://github.com/advisories' },
  alpine: { ID: 'alpine', Name: 'Alpine Secdb', URL: 'https://secdb.alpinelinux.org/' },
} as const;

/** One `Results[].Vulnerabilities[]` entry of a Trivy report. */
function trivyVulnerability(id: string, pkg: { name: string; version: string; purl: string; path?: string }) {
  const facts = VULNERABILITIES[id];
  if (!facts) throw new Error(`demo estate: no facts for ${id}`);
  const cvss = { V3Vector: facts.cvss.vector, V3Score: facts.cvss.score };
  return {
    VulnerabilityID: id,
    PkgName: pkg.name,
    ...(pkg.path ? { PkgPath: pkg.path } : {}),
    PkgIdentifier: { PURL: pkg.purl },
    InstalledVersion: pkg.version,
    FixedVersion: facts.fixed,
    Status: 'fixed',
    SeveritySource: facts.source === 'alpine' ? 'nvd' : 'ghsa',
    PrimaryURL: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`,
    DataSource: DATA_SOURCES[facts.source],
    Title: facts.title,
    Severity: facts.severity,
    CweIDs: facts.cwes,
    CVSS: facts.source === 'alpine' ? { nvd: cvss } : { ghsa: cvss, nvd: cvss },
  };
}

type TrivyResult = { Target: string; Class: string; Type: string } & Record<string, unknown>;

function trivyReport(
  createdAt: string,
  artifact: { name: string; type: 'container_image' | 'repository' },
  metadata: Record<string, unknown>,
  results: TrivyResult[],
) {
  return {
    SchemaVersion: 2,
    CreatedAt: createdAt,
    ArtifactName: artifact.name,
    ArtifactType: artifact.type,
    Metadata: metadata,
    Results: results,
  };
}

const ALPINE = '3.16.2';

function imageMetadata(reference: string, os?: string) {
  const repository = reference.slice(0, reference.lastIndexOf(':'));
  return {
    ...(os ? { OS: { Family: 'alpine', Name: os } } : {}),
    ImageID: digestOf(`${reference}#config`),
    RepoTags: [reference],
    RepoDigests: [`${repository}@${digestOf(reference)}`],
  };
}

/** The OpenSSL 1.1 libraries of the node:18.12.0-alpine3.16 base image (CVE-2023-0286, fixed in 1.1.1t-r0). */
function alpineResult(reference: string): TrivyResult {
  const apk = (name: string) => ({
    name,
    version: VERSIONS.alpineOpenssl,
    purl: `pkg:apk/alpine/${name}@${VERSIONS.alpineOpenssl}?arch=x86_64&distro=${ALPINE}`,
  });
  return {
    Target: `${reference} (alpine ${ALPINE})`,
    Class: 'os-pkgs',
    Type: 'alpine',
    Vulnerabilities: [
      trivyVulnerability('CVE-2023-0286', apk('libcrypto1.1')),
      trivyVulnerability('CVE-2023-0286', apk('libssl1.1')),
    ],
  };
}

function lodashResult(): TrivyResult {
  const lodash = {
    name: 'lodash',
    version: VERSIONS.lodash,
    purl: `pkg:npm/lodash@${VERSIONS.lodash}`,
    path: 'app/node_modules/lodash/package.json',
  };
  return {
    Target: 'Node.js',
    Class: 'lang-pkgs',
    Type: 'node-pkg',
    Vulnerabilities: [trivyVulnerability('CVE-2021-23337', lodash), trivyVulnerability('CVE-2020-28500', lodash)],
  };
}

function log4jJarResult(): TrivyResult {
  const jar = `app/lib/log4j-core-${VERSIONS.log4j}.jar`;
  const log4j = {
    name: LOG4J_CORE,
    version: VERSIONS.log4j,
    purl: `pkg:maven/org.apache.logging.log4j/log4j-core@${VERSIONS.log4j}`,
    path: jar,
  };
  return {
    Target: jar,
    Class: 'lang-pkgs',
    Type: 'jar',
    Vulnerabilities: [trivyVulnerability('CVE-2021-44228', log4j), trivyVulnerability('CVE-2021-45046', log4j)],
  };
}

function imageScans(createdAt: string): DemoFile[] {
  const scan = (file: string, reference: string, results: TrivyResult[], os?: string): DemoFile => ({
    path: `scans/${file}`,
    content: json(
      trivyReport(createdAt, { name: reference, type: 'container_image' }, imageMetadata(reference, os), results),
    ),
  });
  return [
    scan(
      'trivy-image-storefront-web-prod.json',
      IMAGES.storefrontProd,
      [alpineResult(IMAGES.storefrontProd), lodashResult()],
      ALPINE,
    ),
    scan(
      'trivy-image-storefront-web-staging.json',
      IMAGES.storefrontStaging,
      [alpineResult(IMAGES.storefrontStaging), lodashResult()],
      ALPINE,
    ),
    scan('trivy-image-payments-api-prod.json', IMAGES.paymentsProd, [alpineResult(IMAGES.paymentsProd)], ALPINE),
    scan('trivy-image-inventory-service-prod.json', IMAGES.inventoryProd, [log4jJarResult()]),
    scan('trivy-image-inventory-service-staging.json', IMAGES.inventoryStaging, [log4jJarResult()]),
  ];
}

/** A Trivy misconfiguration (Terraform check) pointing at a resource and line of main.tf. */
function terraformMisconfiguration(check: {
  id: string;
  title: string;
  description: string;
  message: string;
  resolution: string;
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  service: string;
  resource: string;
}) {
  const [type, name] = check.resource.split('.') as [string, string];
  const startLine = lineOf('infra', TERRAFORM.file, `resource "${type}" "${name}"`);
  const number = check.id.slice('AVD-AWS-'.length);
  return {
    Type: 'Terraform Security Check',
    ID: check.id,
    AVDID: check.id,
    Title: check.title,
    Description: check.description,
    Message: check.message,
    Namespace: `builtin.aws.${check.service}.aws${number}`,
    Query: `data.builtin.aws.${check.service}.aws${number}.deny`,
    Resolution: check.resolution,
    Severity: check.severity,
    PrimaryURL: `https://avd.aquasec.com/misconfig/${check.id.toLowerCase()}`,
    Status: 'FAIL',
    CauseMetadata: { Resource: check.resource, Provider: 'AWS', Service: check.service, StartLine: startLine },
  };
}

function repositoryScans(createdAt: string): DemoFile[] {
  const scan = (file: string, repo: { url: string }, results: TrivyResult[]): DemoFile => ({
    path: `scans/${file}`,
    content: json(
      trivyReport(createdAt, { name: repo.url, type: 'repository' }, { RepoURL: repo.url, Branch: 'main' }, results),
    ),
  });
  const pypi = (name: string, version: string) => ({
    name,
    version,
    purl: `pkg:pypi/${name.toLowerCase()}@${version}`,
  });
  const maven = (name: string, version: string) => ({
    name,
    version,
    purl: `pkg:maven/${name.replace(':', '/')}@${version}`,
  });
  return [
    scan('trivy-repo-recommendations.json', REPOS.recommendations, [
      {
        Target: 'requirements.txt',
        Class: 'lang-pkgs',
        Type: 'pip',
        Vulnerabilities: [
          trivyVulnerability('CVE-2021-33203', pypi('Django', VERSIONS.django)),
          trivyVulnerability('CVE-2021-44420', pypi('Django', VERSIONS.django)),
          trivyVulnerability('CVE-2022-29217', pypi('PyJWT', VERSIONS.pyjwt)),
          trivyVulnerability('CVE-2020-14343', pypi('PyYAML', VERSIONS.pyyaml)),
        ],
      },
    ]),
    scan('trivy-repo-inventory-service.json', REPOS.inventory, [
      {
        Target: 'pom.xml',
        Class: 'lang-pkgs',
        Type: 'pom',
        Vulnerabilities: [
          trivyVulnerability('CVE-2020-36518', maven(JACKSON_DATABIND, VERSIONS.jacksonDatabind)),
          trivyVulnerability('CVE-2021-44228', maven(LOG4J_CORE, VERSIONS.log4j)),
          trivyVulnerability('CVE-2021-45046', maven(LOG4J_CORE, VERSIONS.log4j)),
        ],
      },
    ]),
    scan('trivy-repo-platform-infra.json', REPOS.infra, [
      {
        Target: TERRAFORM.file,
        Class: 'config',
        Type: 'terraform',
        MisconfSummary: { Successes: 41, Failures: 3 },
        Misconfigurations: [
          terraformMisconfiguration({
            id: 'AVD-AWS-0107',
            title: 'An ingress security group rule allows traffic from /0.',
            description: 'Opening up ports to the public internet is generally to be avoided.',
            message: 'Security group rule allows ingress from public internet.',
            resolution: 'Set a more restrictive cidr range',
            severity: 'CRITICAL',
            service: 'ec2',
            resource: TERRAFORM.bastionSecurityGroup,
          }),
          terraformMisconfiguration({
            id: 'AVD-AWS-0094',
            title: 'S3 buckets should each define an aws_s3_bucket_public_access_block',
            description:
              'The "block public access" settings in S3 override individual policies that apply to a bucket.',
            message: 'Bucket does not have a corresponding public access block.',
            resolution:
              'Define a aws_s3_bucket_public_access_block for the given bucket to control public access policies',
            severity: 'LOW',
            service: 's3',
            resource: TERRAFORM.marketingBucket,
          }),
          terraformMisconfiguration({
            id: 'AVD-AWS-0057',
            title: 'IAM policy should avoid use of wildcards and instead apply the principle of least privilege',
            description: 'You should use the principle of least privilege when defining your IAM policies.',
            message: 'IAM policy document uses wildcarded action "*"',
            resolution: 'Specify the exact permissions required, and to which resources they should apply',
            severity: 'HIGH',
            service: 'iam',
            resource: TERRAFORM.ciDeployPolicy,
          }),
        ],
      },
    ]),
    // The storefront repository holds a Dockerfile that passes every check and no lockfile to scan.
    scan('trivy-repo-storefront-web.json', REPOS.storefront, [
      { Target: 'Dockerfile', Class: 'config', Type: 'dockerfile', MisconfSummary: { Successes: 27, Failures: 0 } },
    ]),
  ];
}

type NpmVia = { ghsa: string; title: string; severity: string; cwe: string[]; cvss: Cvss | null; range: string };

function npmEntry(
  name: string,
  entry: { severity: string; range: string; via: NpmVia[]; fix: string; major: boolean },
) {
  return {
    name,
    severity: entry.severity,
    isDirect: true,
    via: entry.via.map((via) => ({
      name,
      dependency: name,
      title: via.title,
      url: `https://github.com/advisories/${via.ghsa}`,
      severity: via.severity,
      cwe: via.cwe,
      cvss: via.cvss ? { score: via.cvss.score, vectorString: via.cvss.vector } : { score: 0, vectorString: null },
      range: via.range,
    })),
    effects: [],
    range: entry.range,
    nodes: [`node_modules/${name}`],
    fixAvailable: { name, version: entry.fix, isSemVerMajor: entry.major },
  };
}

/** `npm audit --json` (npm 7+, report version 2) of the payments service's dependencies. */
function npmAudit(): DemoFile {
  const vulnerabilities = {
    express: npmEntry('express', {
      severity: 'moderate',
      range: '<=4.19.2 || 5.0.0-alpha.1 - 5.0.0-beta.3',
      fix: '4.21.2',
      major: false,
      via: [
        {
          ghsa: 'GHSA-rv95-896h-c2vc',
          title: 'Express.js Open Redirect in malformed URLs',
          severity: 'moderate',
          cwe: ['CWE-601', 'CWE-1286'],
          cvss: { vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', score: 6.1 },
          range: '<4.19.2',
        },
        {
          ghsa: 'GHSA-qw6h-vgh9-j6wx',
          title: 'express vulnerable to XSS via response.redirect()',
          severity: 'moderate',
          cwe: ['CWE-79'],
          cvss: { vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L', score: 5 },
          range: '<4.20.0',
        },
      ],
    }),
    jsonwebtoken: npmEntry('jsonwebtoken', {
      severity: 'moderate',
      range: '<=8.5.1',
      fix: '9.0.2',
      major: true,
      via: [
        {
          ghsa: 'GHSA-qwph-4952-7xr6',
          title:
            'jsonwebtoken vulnerable to signature validation bypass due to insecure default algorithm in jwt.verify()',
          severity: 'moderate',
          cwe: ['CWE-287'],
          cvss: null,
          range: '<=8.5.1',
        },
        {
          ghsa: 'GHSA-hjrf-2m68-5959',
          title:
            "jsonwebtoken's insecure implementation of key retrieval function could lead to Forgeable Public/Private Tokens from RSA to HMAC",
          severity: 'moderate',
          cwe: ['CWE-287', 'CWE-1259'],
          cvss: null,
          range: '<=8.5.1',
        },
      ],
    }),
    lodash: npmEntry('lodash', {
      severity: 'high',
      range: '<=4.17.20',
      fix: '4.17.21',
      major: false,
      via: [
        {
          ghsa: 'GHSA-35jh-r3h4-6jhm',
          title: 'Command Injection in lodash',
          severity: 'high',
          cwe: ['CWE-77', 'CWE-94'],
          cvss: VULNERABILITIES['CVE-2021-23337']!.cvss,
          range: '<4.17.21',
        },
        {
          ghsa: 'GHSA-29mw-wpgm-hmr9',
          title: 'Regular Expression Denial of Service (ReDoS) in lodash',
          severity: 'moderate',
          cwe: ['CWE-400', 'CWE-1333'],
          cvss: VULNERABILITIES['CVE-2020-28500']!.cvss,
          range: '<4.17.21',
        },
      ],
    }),
  };
  const report = {
    auditReportVersion: 2,
    vulnerabilities,
    metadata: {
      vulnerabilities: { info: 0, low: 0, moderate: 2, high: 1, critical: 0, total: 3 },
      dependencies: { prod: 71, dev: 0, optional: 0, peer: 0, peerOptional: 0, total: 71 },
    },
  };
  return { path: `scans/${NPM_AUDIT_FILE}`, content: json(report) };
}

/** One Prowler check result as an OCSF Detection Finding (Prowler 4.x layout). */
function prowlerFinding(
  time: string,
  check: {
    code: string;
    status: 'FAIL' | 'PASS';
    severity: 'Low' | 'Medium' | 'High' | 'Critical';
    detail: string;
    title: string;
    risk: string;
    remediation: string;
    resource: { uid: string; name: string; type: string; service: string; region: string };
  },
) {
  const severityId = { Low: 2, Medium: 3, High: 4, Critical: 5 }[check.severity];
  return {
    metadata: {
      event_code: check.code,
      product: { name: 'Prowler', vendor_name: 'Prowler', version: '4.5.0' },
      version: '1.3.0',
    },
    severity_id: severityId,
    severity: check.severity,
    status: 'New',
    status_code: check.status,
    status_detail: check.detail,
    status_id: 1,
    activity_name: 'Create',
    activity_id: 1,
    finding_info: {
      created_time: time,
      desc: check.title,
      product_uid: 'prowler',
      title: check.title,
      uid: `prowler-aws-${check.code}-${AWS_ACCOUNT}-${check.resource.region}-${check.resource.name}`,
    },
    resources: [
      {
        cloud_partition: 'aws',
        region: check.resource.region,
        group: { name: check.resource.service },
        labels: [],
        name: check.resource.name,
        type: check.resource.type,
        uid: check.resource.uid,
      },
    ],
    category_name: 'Findings',
    category_uid: 2,
    class_name: 'DetectionFinding',
    class_uid: 2004,
    cloud: {
      account: { name: 'acme-prod', type: 'AWS_Account', type_id: 10, uid: AWS_ACCOUNT, labels: [] },
      provider: 'aws',
      region: check.resource.region,
    },
    event_time: time,
    remediation: { desc: check.remediation, references: [] },
    risk_details: check.risk,
    type_uid: 200401,
    type_name: 'Create',
  };
}

/** Prowler's OCSF output for the production account: the three misconfigurations, and one passed check. */
function prowlerReport(time: string): DemoFile {
  const findings = [
    prowlerFinding(time, {
      code: 'ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22',
      status: 'FAIL',
      severity: 'High',
      detail: 'Security group bastion-ssh (sg-0b7e3c1f2a9d84e65) has SSH port 22 open to the Internet.',
      title: 'Ensure no security groups allow ingress from 0.0.0.0/0 or ::/0 to SSH port 22.',
      risk: 'SSH open to the internet invites brute-force attacks and exploitation of SSH vulnerabilities.',
      remediation: 'Allow SSH only from trusted networks (VPN or office CIDRs) or use Session Manager.',
      resource: {
        uid: ARNS.bastionSecurityGroup,
        name: 'sg-0b7e3c1f2a9d84e65',
        type: 'AwsEc2SecurityGroup',
        service: 'ec2',
        region: AWS_REGION,
      },
    }),
    prowlerFinding(time, {
      code: 's3_bucket_level_public_access_block',
      status: 'FAIL',
      severity: 'High',
      detail: 'Block Public Access is not configured for the S3 Bucket acme-marketing-assets.',
      title: 'Check S3 Buckets have block public access enabled at bucket level.',
      risk: 'Without a public access block, a bucket policy or ACL can make objects readable by anyone.',
      remediation: 'Enable all four Block Public Access settings on the bucket, or serve its files through a CDN.',
      resource: {
        uid: ARNS.marketingBucket,
        name: 'acme-marketing-assets',
        type: 'AwsS3Bucket',
        service: 's3',
        region: AWS_REGION,
      },
    }),
    prowlerFinding(time, {
      code: 'iam_customer_attached_policy_no_administrative_privileges',
      status: 'FAIL',
      severity: 'High',
      detail: "Custom Policy ci-deploy-policy is attached and allows '*:*' administrative privileges.",
      title: "Ensure IAM policies that allow full '*:*' administrative privileges are not attached.",
      risk: 'A principal with this policy can do anything in the account, including escalating and hiding its actions.',
      remediation: 'Grant only the actions the CI pipeline needs; keep administrative access behind break-glass roles.',
      resource: {
        uid: ARNS.ciDeployPolicy,
        name: 'ci-deploy-policy',
        type: 'AwsIamPolicy',
        service: 'iam',
        region: AWS_REGION,
      },
    }),
    prowlerFinding(time, {
      code: 's3_bucket_level_public_access_block',
      status: 'PASS',
      severity: 'High',
      detail: 'Block Public Access is configured for the S3 Bucket acme-payments-exports.',
      title: 'Check S3 Buckets have block public access enabled at bucket level.',
      risk: 'Without a public access block, a bucket policy or ACL can make objects readable by anyone.',
      remediation: 'Enable all four Block Public Access settings on the bucket.',
      resource: {
        uid: ARNS.paymentsExportsBucket,
        name: 'acme-payments-exports',
        type: 'AwsS3Bucket',
        service: 's3',
        region: AWS_REGION,
      },
    }),
  ];
  return { path: `scans/prowler-output-${AWS_ACCOUNT}.ocsf.json`, content: json(findings) };
}

/** Semgrep OSS rules and results (SARIF 2.1.0) for the recommendations service's views. */
function semgrepSarif(): DemoFile {
  const views = 'recommendations/views.py';
  const rules = [
    {
      id: 'python.django.security.injection.sql.sql-injection-using-db-cursor-execute.sql-injection-db-cursor-execute',
      text: 'User-controlled data from a request is passed to execute(). This could lead to a SQL injection.',
      level: 'error',
      tags: ["CWE-89: Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')"],
      severity: 'HIGH',
      line: lineOf('recommendations', views, 'cursor.execute('),
    },
    {
      id: 'python.django.security.injection.raw-html-format.raw-html-format',
      text: 'User data flows into HTML built by string concatenation and is returned unescaped (XSS).',
      level: 'warning',
      tags: ["CWE-79: Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"],
      severity: 'MEDIUM',
      line: lineOf('recommendations', views, 'return HttpResponse('),
    },
    {
      id: 'python.lang.security.deserialization.avoid-pyyaml-load.avoid-pyyaml-load',
      text: 'yaml.load with the unsafe Loader can construct arbitrary Python objects. Use yaml.safe_load.',
      level: 'error',
      tags: ['CWE-502: Deserialization of Untrusted Data'],
      severity: 'HIGH',
      line: lineOf('recommendations', views, 'yaml.load('),
    },
  ];
  const sarif = {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Semgrep OSS',
            semanticVersion: '1.85.0',
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: `Semgrep Finding: ${rule.id}` },
              fullDescription: { text: rule.text },
              defaultConfiguration: { level: rule.level },
              properties: {
                precision: 'very-high',
                'security-severity': rule.severity,
                tags: [...rule.tags, 'security'],
              },
            })),
          },
        },
        versionControlProvenance: [{ repositoryUri: REPOS.recommendations.url, branch: 'main' }],
        results: rules.map((rule) => ({
          ruleId: rule.id,
          level: rule.level,
          message: { text: rule.text },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: views, uriBaseId: '%SRCROOT%' },
                region: { startLine: rule.line },
              },
            },
          ],
        })),
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: [] }],
      },
    ],
  };
  return { path: 'scans/semgrep-recommendations.sarif', content: json(sarif) };
}

/**
 * Every scanner report of the demo: Trivy image and repository scans, npm audit, Prowler OCSF
 * and Semgrep SARIF. `now` dates the reports, so a fresh demo reads as a fresh scan.
 */
export function demoScans(now: Date): DemoFile[] {
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
  return [...imageScans(at(2)), ...repositoryScans(at(1)), npmAudit(), prowlerReport(at(3)), semgrepSarif()];
}
