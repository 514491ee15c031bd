import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdvisorySchema } from '../../../src/domain/advisory.ts';
import { format } from '../../../src/ingest/cve5/parser.ts';
import type { Source } from '../../../src/ingest/format.ts';
import {
  detectFile,
  fileSource,
  hasSharedFixtures,
  OWN_FIXTURES,
  parseAll,
  SHARED_FIXTURES,
  SKIP_NO_FIXTURES,
  sharedFiles,
  textSource,
} from '../../helpers/fixtures.ts';
import { describeBadInput, describeSharedDetection } from '../../helpers/ingest-tests.ts';

const OWN = path.join(OWN_FIXTURES, 'cve5');
const SAMPLES = path.join(SHARED_FIXTURES, 'cve');

const parse = (source: Source) => parseAll(format, source);

async function advisory(source: Source) {
  const records = await parse(source);
  expect(records).toHaveLength(1);
  const [record] = records;
  if (record?.type !== 'advisory') throw new Error(`expected an advisory, got ${JSON.stringify(record)}`);
  expect(() => AdvisorySchema.parse(record.value)).not.toThrow();
  return record.value;
}

const ownRecord = (name: string) => JSON.parse(fs.readFileSync(path.join(OWN, name), 'utf8'));

describe('cve5: own fixtures', () => {
  it('maps a GitHub CNA record field by field, reading its version constraint string', async () => {
    expect(await advisory(fileSource(path.join(OWN, 'CVE-2023-32681.json')))).toEqual({
      id: 'CVE-2023-32681',
      source: 'cve5',
      aliases: ['GHSA-j8r2-6x86-q33q'],
      title: 'Unintended leak of Proxy-Authorization header in requests',
      details:
        'Requests is a HTTP library. Since Requests 2.3.0, Requests has been leaking Proxy-Authorization headers to destination servers when redirected to an HTTPS endpoint. This issue has been patched in version 2.31.0.',
      severity: 'medium',
      cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N',
      cvssScore: 6.1,
      cwes: ['CWE-200'],
      affected: [
        {
          ecosystem: 'CVE',
          package: 'psf/requests',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] }],
          versions: [],
          fixed: ['2.31.0'],
        },
      ],
      references: [
        { url: 'https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q' },
        { url: 'https://github.com/psf/requests/commit/74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5' },
        {
          type: 'vendor-advisory',
          url: 'https://lists.fedoraproject.org/archives/list/package-announce@lists.fedoraproject.org/message/AW7HNFGYP44RT3DUDQXG2QT3OEV2PJ7Y/',
        },
        { url: 'https://security.gentoo.org/glsa/202309-08' },
      ],
      publishedAt: '2023-05-26T17:26:40.000Z',
      modifiedAt: '2024-08-02T15:25:36.000Z',
      withdrawnAt: null,
      kev: null,
    });
  });

  it('takes the registry package from collectionURL and the CVSS score from the CISA ADP', async () => {
    const value = await advisory(fileSource(path.join(OWN, 'CVE-2022-42889.json')));
    expect(value).toMatchObject({
      id: 'CVE-2022-42889',
      aliases: [],
      severity: 'critical',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      cvssScore: 9.8,
      cwes: ['CWE-94'],
      affected: [
        {
          ecosystem: 'Maven',
          package: 'org.apache.commons:commons-text',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.5' }, { fixed: '1.10.0' }] }],
          versions: [],
          fixed: ['1.10.0'],
        },
      ],
      references: [
        { type: 'mailing-list', url: 'https://lists.apache.org/thread/n2bd4vdsgkqh2tm14l1wyc3jyol7s1om' },
        { url: 'https://www.openwall.com/lists/oss-security/2022/10/13/4' },
      ],
      // Older records omit the zone of UTC timestamps.
      publishedAt: '2022-10-13T00:00:00Z',
      modifiedAt: '2025-02-13T16:33:19.000Z',
    });
    expect(value.details).toMatch(/^Apache Commons Text performs variable interpolation/);
  });

  it('falls back to the CNA textual severity when no CVSS is given', async () => {
    const record = ownRecord('CVE-2022-42889.json');
    delete record.containers.adp;
    expect(await advisory(textSource('CVE-2022-42889.json', JSON.stringify(record)))).toMatchObject({
      severity: 'critical',
      cvssVector: null,
      cvssScore: null,
    });
  });

  it('maps lessThanOrEqual, explicit versions, semver and unaffected entries', async () => {
    const record = ownRecord('CVE-2022-42889.json');
    record.containers.cna.affected = [
      {
        vendor: 'example',
        product: 'widget',
        versions: [
          { version: '1.0.0', lessThanOrEqual: '1.4.2', status: 'affected', versionType: 'semver' },
          { version: '2.0.0', status: 'affected' },
          { version: '3.0.0', status: 'unaffected' },
          { version: '<= 0.9.9', status: 'affected' },
        ],
      },
      {
        vendor: 'example',
        product: 'gadget',
        defaultStatus: 'unaffected',
        versions: [{ version: 'All', status: 'unaffected' }],
      },
      { vendor: 'n/a', product: 'n/a', versions: [{ version: 'n/a', status: 'affected' }] },
    ];
    const value = await advisory(textSource('variants.json', JSON.stringify(record)));
    expect(value.affected).toEqual([
      {
        ecosystem: 'CVE',
        package: 'example/widget',
        ranges: [
          { type: 'SEMVER', events: [{ introduced: '1.0.0' }, { last_affected: '1.4.2' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '0.9.9' }] },
        ],
        versions: ['2.0.0'],
        fixed: [],
      },
    ]);
  });

  it('turns a REJECTED record into a warning, not an advisory', async () => {
    expect(await parse(fileSource(path.join(OWN, 'CVE-2023-5129-rejected.json')))).toEqual([
      {
        type: 'warning',
        pointer: '/cveMetadata/state',
        message:
          'CVE-2023-5129 is REJECTED (This CVE ID has been rejected or withdrawn by its CVE Numbering Authority. Duplicate of CVE-2023-4863.); no advisory created',
      },
    ]);
  });
});

const requestsText = fs.readFileSync(path.join(OWN, 'CVE-2023-32681.json'), 'utf8');

function withoutCveId(): string {
  const record = JSON.parse(requestsText);
  delete record.cveMetadata.cveId;
  return JSON.stringify(record);
}

describeBadInput(format, [
  ['invalid JSON', '{"dataType": CVE_RECORD}', /^bad\.json \(cve5\) at byte \d+: invalid JSON/],
  [
    'a truncated file',
    requestsText.slice(0, 2000),
    /^cut\.json \(cve5\) at byte \d+: the JSON document is truncated/,
    { file: 'cut.json' },
  ],
  ['an empty file', '', /^empty\.json \(cve5\) at byte 0: the file is empty/, { file: 'empty.json' }],
  [
    'a record without a CVE id, pointing at the field',
    withoutCveId(),
    'no-id.json (cve5) at /cveMetadata/cveId: expected "cveMetadata.cveId" to be a string (it is missing)',
    { file: 'no-id.json', pointer: '/cveMetadata/cveId' },
  ],
  [
    'a record of another data type or version',
    JSON.stringify({ ...JSON.parse(requestsText), dataVersion: '4.0' }),
    'v4.json (cve5) at /dataVersion: unexpected value for "dataVersion": expected a CVE JSON 5.x version such as "5.1"',
    { file: 'v4.json' },
  ],
]);

describe.skipIf(!hasSharedFixtures)(hasSharedFixtures ? 'cve5: cvelistV5 samples' : SKIP_NO_FIXTURES, () => {
  const sample = (name: string) => fileSource(path.join(SAMPLES, name));

  it('parses every sample into one valid advisory named like its file', async () => {
    const files = sharedFiles('cve');
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const file of files) expect((await advisory(fileSource(file))).id, file).toBe(path.basename(file, '.json'));
  });

  it('reads log4j: version changes as events, the ADP score and the KEV mark', async () => {
    expect(await advisory(sample('CVE-2021-44228.json'))).toMatchObject({
      id: 'CVE-2021-44228',
      title:
        'Apache Log4j2 JNDI features do not protect against attacker controlled LDAP and other JNDI related endpoints',
      severity: 'critical',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      cvssScore: 10,
      cwes: ['CWE-502', 'CWE-400', 'CWE-20'],
      affected: [
        {
          ecosystem: 'CVE',
          package: 'Apache Software Foundation/Apache Log4j2',
          ranges: [
            {
              type: 'ECOSYSTEM',
              events: [
                { introduced: '2.0-beta9' },
                { fixed: '2.3.1' },
                { introduced: '2.4' },
                { fixed: '2.12.2' },
                { introduced: '2.13.0' },
                { fixed: '2.15.0' },
              ],
            },
          ],
          versions: [],
          fixed: ['2.3.1', '2.12.2', '2.15.0'],
        },
      ],
      publishedAt: '2021-12-10T00:00:00.000Z',
      modifiedAt: '2025-07-28T19:48:17.130Z',
      kev: { dateAdded: '2021-12-10', dueDate: null, requiredAction: null, ransomware: false },
    });
  });

  it('reads Maven packages with semver ranges (ActiveMQ)', async () => {
    const value = await advisory(sample('CVE-2023-46604.json'));
    expect(value.affected?.map((a) => [a.ecosystem, a.package, a.fixed])).toEqual([
      ['Maven', 'org.apache.activemq:activemq-client', ['5.18.3', '5.17.6', '5.16.7', '5.15.16']],
      ['Maven', 'org.apache.activemq:activemq-openwire-legacy', ['5.18.3', '5.17.6', '5.16.7', '5.15.16']],
    ]);
    expect(value.affected?.[0]?.ranges?.[3]).toEqual({
      type: 'SEMVER',
      events: [{ introduced: '0' }, { fixed: '5.15.16' }],
    });
    expect(value).toMatchObject({ severity: 'critical', cvssScore: 10, cwes: ['CWE-502'], kev: null });
  });

  it('reads PAN-OS: affected lines only, unaffected products left out, KEV date from the ADP', async () => {
    const value = await advisory(sample('CVE-2024-3400.json'));
    expect(value.affected).toEqual([
      {
        ecosystem: 'CVE',
        package: 'Palo Alto Networks/PAN-OS',
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '10.2.0' }, { fixed: '10.2.9-h1' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '11.0.0' }, { fixed: '11.0.4-h1' }] },
          { type: 'ECOSYSTEM', events: [{ introduced: '11.1.0' }, { fixed: '11.1.2-h3' }] },
        ],
        versions: [],
        fixed: ['10.2.9-h1', '11.0.4-h1', '11.1.2-h3'],
      },
    ]);
    expect(value.kev).toEqual({ dateAdded: '2024-04-12', dueDate: null, requiredAction: null, ransomware: false });
    expect(value.cwes).toEqual(['CWE-77', 'CWE-20']);
  });

  it('reads GitHub CNA constraint strings and links the GHSA (ws)', async () => {
    expect(await advisory(sample('CVE-2024-37890.json'))).toMatchObject({
      aliases: ['GHSA-3h5v-q93c-6h6q'],
      severity: 'high',
      cvssScore: 7.5,
      affected: [
        {
          ecosystem: 'CVE',
          package: 'websockets/ws',
          fixed: ['5.2.4', '6.2.3', '7.5.10', '8.17.1'],
        },
      ],
    });
  });

  it('reads a textual CNA severity and a zone-less date (log4j DoS)', async () => {
    expect(await advisory(sample('CVE-2021-45046.json'))).toMatchObject({
      severity: 'medium',
      cvssVector: null,
      cvssScore: null,
      cwes: ['CWE-917'],
      publishedAt: '2021-12-14T16:55:09Z',
      affected: [
        {
          package: 'Apache Software Foundation/Apache Log4j',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.16.0' }] }],
        },
      ],
    });
  });

  it('keeps records without CVSS, product or CWE as they are (minimist)', async () => {
    expect(await advisory(sample('CVE-2021-44906.json'))).toMatchObject({
      title: null,
      details:
        'Minimist <=1.2.5 is vulnerable to Prototype Pollution via file index.js, function setKey() (lines 69-95).',
      severity: 'unknown',
      cvssScore: null,
      cwes: [],
      affected: [],
    });
  });

  it('keeps an affected product whose versions are free text, with no ranges (Spring4Shell)', async () => {
    expect((await advisory(sample('CVE-2022-22965.json'))).affected).toEqual([
      { ecosystem: 'CVE', package: 'Spring Framework', ranges: [], versions: [], fixed: [] },
    ]);
  });

  it('reads "every version" for a default status of affected and the first CNA of xz', async () => {
    const value = await advisory(sample('CVE-2024-3094.json'));
    expect(value.affected).toEqual([
      {
        ecosystem: 'CVE',
        package: 'xz',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        versions: [],
        fixed: [],
      },
    ]);
    expect(value.aliases).toEqual(['GHSA-rxwq-x6h5-x525']);
  });

  it('reads a version equal to its lessThan bound as "from the start" (Chrome)', async () => {
    expect((await advisory(sample('CVE-2023-4863.json'))).affected).toEqual([
      {
        ecosystem: 'CVE',
        package: 'Google/Chrome',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '116.0.5845.187' }] }],
        versions: [],
        fixed: ['116.0.5845.187'],
      },
    ]);
  });
});

describe('cve5: detection', () => {
  it('claims CVE JSON 5 records, including a rejected one', () => {
    for (const name of ['CVE-2023-32681.json', 'CVE-2022-42889.json', 'CVE-2023-5129-rejected.json']) {
      expect(format.detect(fs.readFileSync(path.join(OWN, name), 'utf8'), name), name).toBe(0.95);
    }
  });

  it('does not claim other documents that mention CVE ids', () => {
    expect(format.detect('{"vulnerabilities": [{"cveID": "CVE-2021-44228"}]}', 'kev.json')).toBe(0);
    expect(format.detect('{"id": "GHSA-x", "aliases": ["CVE-2021-44228"]}', 'osv.json')).toBe(0);
  });
});

describeSharedDetection(format, ['cve'], async (score, file) => {
  expect(score, file).toBe(0.95);
  expect(await detectFile(file), file).toBe('cve5');
});
