import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/sarif/parser.ts';
import { describeConformance } from '../../helpers/conformance.ts';
import {
  fileSource,
  findingsOf,
  hasSharedFixtures,
  OWN_FIXTURES,
  parseAll,
  SHARED_FIXTURES,
  textSource,
} from '../../helpers/fixtures.ts';
import {
  cweNumbers,
  DOJO_SEVERITY,
  describeBadInput,
  describeSharedDetection,
  itClaimsEachOwnFixture,
} from '../../helpers/ingest-tests.ts';

/** This DefectDojo parser says "Unknown" where others say "Info". */
const SEVERITY_WORD: Record<string, string> = { ...DOJO_SEVERITY, unknown: 'Unknown' };

describeConformance({
  folder: 'sarif',
  format: 'sarif',
  view: (finding) => ({
    title: finding.title,
    severity: SEVERITY_WORD[finding.severity ?? 'unknown'],
    file_path: finding.location ?? null,
    line: finding.line ?? null,
    vuln_id_from_tool: finding.ruleId,
    // DefectDojo lists vulnerability ids only for vulnerability rules (CVE ids).
    vulnerability_ids: finding.kind === 'package' ? [finding.ruleId, ...(finding.aliases ?? [])] : null,
    // DefectDojo keeps the last CWE it reads as the primary `cwe`.
    cwe: cweNumbers(finding).at(-1) ?? null,
    cwes: cweNumbers(finding),
    cvssv3_score: finding.cvssScore ?? null,
  }),
  unsupported: {
    date: 'Finding carries no scan date; the run invocation time is not modeled',
    description:
      "DefectDojo's composed markdown (**Result message:** / **Rule name:** ...); we keep the message plus the rule description, and the rule id is ruleId",
    references: 'Finding has no references field; the rule helpUri stays in the SARIF rule',
    mitigation: 'Finding has no mitigation field; SARIF fixes[] stay in raw',
    unique_id_from_tool: 'Finding has no fingerprint field; fingerprints/partialFingerprints stay in raw',
  },
});

const parse = (source: Source) => parseAll(format, source);
const own = (name: string) => path.join(OWN_FIXTURES, 'sarif', name);
const resultsOf = (file: string, run = 0) =>
  (JSON.parse(fs.readFileSync(file, 'utf8')) as { runs: { results: unknown[] }[] }).runs[run]!.results;

describe('sarif: own fixtures', () => {
  it('maps CodeQL results: security-severity, CWE tags, index-only artifact locations, suppressions, pass results', async () => {
    const file = own('codeql-python.json');
    const records = await parse(fileSource(file));
    const repo = [{ kind: 'repository_url', value: 'https://github.com/acme/payments-api' }];
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['finding', '/runs/0/results/0'],
      ['finding', '/runs/0/results/1'],
      ['warning', '/runs/0/results/2'],
    ]);
    const [sqli, logging] = findingsOf(records);
    expect(sqli).toEqual({
      sourceTool: 'codeql',
      sourceVersion: '2.15.3',
      format: 'sarif',
      kind: 'code',
      ruleId: 'py/sql-injection',
      aliases: [],
      packageName: null,
      packageVersion: null,
      ecosystem: null,
      fixedVersions: [],
      purl: null,
      resource: null,
      location: 'app/db.py',
      line: 42,
      severity: 'high',
      cvssScore: null,
      cvssVector: null,
      cwes: ['CWE-89'],
      title: 'This SQL query depends on a [user-provided value](1).',
      description:
        'This SQL query depends on a [user-provided value](1).\n\nBuilding a SQL query from user-controlled sources is vulnerable to insertion of malicious SQL code by the user.',
      assetHint: repo,
      suppression: null,
      raw: resultsOf(file)[0],
    });
    expect(logging).toMatchObject({
      ruleId: 'py/clear-text-logging-sensitive-data',
      location: 'app/auth.py',
      line: 17,
      severity: 'high',
      cwes: ['CWE-312', 'CWE-359', 'CWE-532'],
      assetHint: repo,
      suppression: {
        state: 'suppressed',
        justification: 'the log filter masks the password field',
        detail: 'SARIF inSource suppression',
      },
    });
    expect(records[2]).toEqual({
      type: 'warning',
      pointer: '/runs/0/results/2',
      message: 'result kind "pass" records no problem; not a finding',
    });
  });

  it('reads rules written after the results (Semgrep order) and rates by security-severity word or level', async () => {
    const [redirect, evalInjection] = findingsOf(await parse(fileSource(own('semgrep-results-before-tool.json'))));
    expect(redirect).toMatchObject({
      sourceTool: 'semgrep-oss',
      sourceVersion: '1.50.0',
      kind: 'code',
      ruleId: 'javascript.express.security.audit.express-open-redirect.express-open-redirect',
      location: 'src/routes/users.js',
      line: 27,
      severity: 'medium',
      cwes: ['CWE-601'],
      title:
        'The application redirects to a URL specified by user-supplied input `req` that is not validated. This could redirect users to malicious locations.',
      assetHint: [],
    });
    expect(evalInjection).toMatchObject({
      ruleId: 'javascript.express.security.injection.tainted-eval.tainted-eval',
      severity: 'high',
      cwes: ['CWE-95'],
      title: 'Found data from an Express web request flowing to `eval`.',
      description:
        'Found data from an Express web request flowing to `eval`.\n\nEvaluating data from a web request can lead to remote code execution.',
    });
  });

  it('splits a Trivy run into package, misconfiguration and secret findings on the scanned image', async () => {
    const file = own('trivy-image.json');
    const [vuln, config, secret] = findingsOf(await parse(fileSource(file)));
    const image = [
      { kind: 'image', value: 'registry.acme.io/payments-api:1.4.2' },
      {
        kind: 'image_digest',
        value: 'registry.acme.io/payments-api@sha256:3f1b1d5e0c8a4f6b9e2d7c1a0b5e4d3c2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c',
      },
    ];
    expect(vuln).toEqual({
      sourceTool: 'trivy',
      sourceVersion: '0.48.3',
      format: 'sarif',
      kind: 'package',
      ruleId: 'CVE-2023-0464',
      aliases: [],
      packageName: 'libssl3',
      packageVersion: '3.0.8-r0',
      ecosystem: null,
      fixedVersions: ['3.0.8-r1'],
      purl: null,
      resource: null,
      location: 'registry.acme.io/payments-api',
      line: 1,
      severity: 'high',
      cvssScore: 7.5,
      cvssVector: null,
      cwes: [],
      title: 'openssl: Denial of service by excessive resource usage in verifying X509 policy constraints',
      description:
        'Package: libssl3\nInstalled Version: 3.0.8-r0\nVulnerability CVE-2023-0464\nSeverity: HIGH\nFixed Version: 3.0.8-r1\nLink: [CVE-2023-0464](https://avd.aquasec.com/nvd/cve-2023-0464)\n\nA security vulnerability has been identified in all supported versions of OpenSSL related to the verification of X.509 certificate chains that include policy constraints.',
      assetHint: image,
      suppression: null,
      raw: resultsOf(file)[0],
    });
    expect(config).toMatchObject({
      kind: 'misconfiguration',
      ruleId: 'DS002',
      title: "Image user should not be 'root'",
      location: 'Dockerfile',
      line: 1,
      severity: 'high',
      cvssScore: null,
      packageName: null,
      assetHint: image,
    });
    expect(secret).toMatchObject({
      kind: 'secret',
      ruleId: 'aws-access-key-id',
      title: 'AWS Access Key ID',
      location: 'app/config/settings.py',
      line: 12,
      severity: 'critical',
    });
  });

  it('maps Checkov checks to misconfigurations on their resource; a suppression under review stays open', async () => {
    const [logging, ssh] = findingsOf(await parse(fileSource(own('checkov-terraform.json'))));
    expect(logging).toMatchObject({
      sourceTool: 'checkov',
      sourceVersion: '3.1.38',
      kind: 'misconfiguration',
      ruleId: 'CKV_AWS_18',
      resource: 'aws_s3_bucket.invoices',
      location: 'terraform/s3.tf',
      line: 1,
      severity: 'high',
      title: 'Ensure the S3 bucket has access logging enabled',
      description: 'Ensure the S3 bucket has access logging enabled',
      suppression: null,
    });
    expect(ssh).toMatchObject({ ruleId: 'CKV_AWS_24', resource: 'aws_security_group.bastion', suppression: null });
  });

  it('keeps each run with its own tool and resolves message ids against global message strings', async () => {
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'Gitleaks', version: '8.18.1', rules: [{ id: 'generic-api-key' }] } },
          results: [
            {
              ruleId: 'generic-api-key',
              message: { text: 'generic-api-key has detected secret for file config/app.env.' },
              locations: [
                { physicalLocation: { artifactLocation: { uri: 'config/app.env' }, region: { startLine: 3 } } },
              ],
            },
          ],
        },
        {
          tool: {
            driver: {
              name: 'CodeScanner',
              globalMessageStrings: { unsafeCall: { text: 'Call to "{0}" is unsafe; use {{safe}} "{1}".' } },
            },
          },
          results: [
            { ruleId: 'CS0042', level: 'warning', message: { id: 'unsafeCall', arguments: ['strcpy', 'strlcpy'] } },
          ],
        },
      ],
    };
    const [secret, code] = findingsOf(await parse(textSource('two-runs.sarif', JSON.stringify(log))));
    expect(secret).toMatchObject({ sourceTool: 'gitleaks', kind: 'secret', ruleId: 'generic-api-key', line: 3 });
    expect(code).toMatchObject({
      sourceTool: 'codescanner',
      kind: 'code',
      ruleId: 'CS0042',
      severity: 'medium',
      title: 'Call to "strcpy" is unsafe; use {safe} "strlcpy".',
    });
  });
});

describe.skipIf(!hasSharedFixtures)('sarif: shared samples', () => {
  const sample = (name: string) => path.join(SHARED_FIXTURES, 'scanners', 'sarif', name);

  it('reads a SARIF log with no runs as zero findings', async () => {
    expect(await parse(fileSource(sample('no_runs.sarif')))).toEqual([]);
  });

  it('takes the repository from versionControlProvenance written after the results', async () => {
    const [first] = findingsOf(await parse(fileSource(sample('bash-report.sarif'))));
    expect(first?.assetHint).toEqual([
      { kind: 'repository_url', value: 'https://github.com/damiencarol/django-DefectDojo' },
    ]);
  });

  it('finds the rule of a Gitleaks 7 result that names no ruleId', async () => {
    const [first] = findingsOf(await parse(fileSource(sample('gitleaks_7.5.0.sarif'))));
    expect(first).toMatchObject({ sourceTool: 'gitleaks', kind: 'secret', ruleId: 'AWS Access Key' });
  });

  it('reads the package of dependency-check results from the artifact purl, and Grype packages from rule help', async () => {
    const depCheck = findingsOf(await parse(fileSource(sample('dependency_check.sarif'))));
    expect(depCheck[6]).toMatchObject({
      kind: 'package',
      ruleId: 'CVE-2019-11358',
      packageName: 'jquery',
      packageVersion: '1.8.0.min',
      ecosystem: 'npm',
      purl: 'pkg:javascript/jquery@1.8.0.min',
      cvssScore: 6.1,
      severity: 'high',
    });
    const grype = findingsOf(await parse(fileSource(sample('cxf-3.4.6.sarif'))));
    expect(grype[6]).toMatchObject({
      kind: 'package',
      ruleId: 'CVE-2011-5034',
      packageName: 'geronimo-j2ee-management_1.1_spec',
      packageVersion: '1.0.1',
      ecosystem: 'Maven',
      severity: 'high',
      cvssScore: 7.8,
    });
  });

  it('skips the Flawfinder result of kind "pass" with a warning that names it', async () => {
    const records = await parse(fileSource(sample('flawfinder.sarif')));
    expect(records.filter((r) => r.type === 'warning')).toEqual([
      {
        type: 'warning',
        pointer: '/runs/0/results/52',
        message: 'result kind "pass" records no problem; not a finding',
      },
    ]);
  });
});

const valid = fs.readFileSync(own('codeql-python.json'), 'utf8');
const log = (run: object) => JSON.stringify({ version: '2.1.0', runs: [run] });

describeBadInput(
  format,
  [
    ['invalid JSON', '{"version": "2.1.0", "runs": [ {,} ]}', /^bad\.sarif \(sarif\) at byte \d+: invalid JSON/],
    [
      'a truncated file',
      valid.slice(0, valid.length / 2),
      /^bad\.sarif \(sarif\) at byte \d+: the JSON document is truncated/,
    ],
    ['an empty file', '', /^bad\.sarif \(sarif\) at byte 0: the file is empty/],
    [
      'a rule without an id',
      log({ tool: { driver: { name: 'X', rules: [{ shortDescription: { text: 'a' } }] } }, results: [] }),
      /^bad\.sarif \(sarif\) at \/runs\/0\/tool\/driver\/rules\/0\/id: expected "driver\.rules\[0\]\.id" to be a string \(it is missing\)/,
    ],
    [
      'a ruleId that is not a string',
      log({ tool: { driver: { name: 'X' } }, results: [{ ruleId: 42, message: { text: 'm' } }] }),
      /^bad\.sarif \(sarif\) at \/runs\/0\/results\/0\/ruleId: expected "ruleId" to be a string/,
    ],
    [
      'a result without message or rule',
      log({ tool: { driver: { name: 'X' } }, results: [{ level: 'error' }] }),
      /^bad\.sarif \(sarif\) at \/runs\/0\/results\/0\/message: expected "message\.text"/,
    ],
    [
      'a line number that is not an integer',
      log({
        tool: { driver: { name: 'X' } },
        results: [
          { ruleId: 'R1', message: { text: 'm' }, locations: [{ physicalLocation: { region: { startLine: '7' } } }] },
        ],
      }),
      /at \/runs\/0\/results\/0\/locations\/0\/physicalLocation\/region\/startLine: expected "locations\[0\]\.physicalLocation\.region\.startLine" to be a number/,
    ],
    [
      'results without a tool',
      log({ results: [{ ruleId: 'R1', message: { text: 'm' } }] }),
      /^bad\.sarif \(sarif\) at \/runs\/0\/tool: expected "tool" with a "driver"/,
    ],
    [
      'a SARIF 1.0 log',
      JSON.stringify({ version: '1.0.0', runs: [] }),
      /^bad\.sarif \(sarif\) at \/version: expected "version" to be "2\.1\.0", found "1\.0\.0"/,
    ],
    ['JSON that is not SARIF', '{"Results": []}', /^bad\.sarif \(sarif\) at \/version: expected a SARIF log/],
  ],
  { file: 'bad.sarif' },
);

describe('sarif: detection', () => {
  itClaimsEachOwnFixture(format, (score, file) => {
    expect(score, file).toBeGreaterThanOrEqual(0.9);
  });

  it('scores a log without $schema by its version, runs and file name', () => {
    const text = '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "X"}}, "results": []}]}';
    expect(format.detect(text, 'scan.sarif')).toBe(0.9);
    expect(format.detect(text, 'scan.json')).toBe(0.9);
    expect(format.detect('{"runs": []}', 'scan.sarif')).toBe(0.6);
    expect(format.detect('{"runs": []}', 'scan.json')).toBe(0);
  });
});

describeSharedDetection(format, ['scanners/sarif'], (score, file) => {
  expect(score, file).toBeGreaterThanOrEqual(0.9);
});
