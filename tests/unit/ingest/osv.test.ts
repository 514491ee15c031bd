import fs from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { AdvisorySchema } from '../../../src/domain/advisory.ts';
import type { Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/osv/parser.ts';
import { zipEntries } from '../../../src/ingest/osv/zip-entries.ts';
import {
  detectFile,
  fileSource,
  hasSharedFixtures,
  ingestErrorOf,
  OWN_FIXTURES,
  parseAll,
  SHARED_FIXTURES,
  SKIP_NO_FIXTURES,
  sharedFiles,
  textSource,
} from '../../helpers/fixtures.ts';
import { describeBadInput, describeSharedDetection } from '../../helpers/ingest-tests.ts';

const OWN = path.join(OWN_FIXTURES, 'osv');
const SAMPLES = path.join(SHARED_FIXTURES, 'osv');

const parse = (source: Source) => parseAll(format, source);
const ingestError = (source: Source) => ingestErrorOf(parse(source));

async function advisories(source: Source) {
  return (await parse(source)).flatMap((r) => (r.type === 'advisory' ? [r.value] : []));
}

const ownText = (name: string) => fs.readFileSync(path.join(OWN, name), 'utf8');

describe('osv: own fixtures', () => {
  it('maps a GitHub-reviewed record field by field', async () => {
    const records = await parse(fileSource(path.join(OWN, 'requests-proxy-auth-leak.json')));
    expect(records).toHaveLength(1);
    expect(records[0]).toEqual({
      type: 'advisory',
      pointer: '',
      value: {
        id: 'GHSA-j8r2-6x86-q33q',
        source: 'osv',
        aliases: ['CVE-2023-32681', 'PYSEC-2023-74'],
        title: 'Unintended leak of Proxy-Authorization header in requests',
        details:
          'Requests is a HTTP library. Since Requests v2.3.0, Requests has been vulnerable to potentially leaking Proxy-Authorization headers to destination servers, specifically during redirects to an HTTPS origin. This issue has been patched in version 2.31.0.',
        severity: 'medium',
        cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N',
        cvssScore: 6.1,
        cwes: ['CWE-200'],
        affected: [
          {
            ecosystem: 'PyPI',
            package: 'requests',
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { fixed: '2.31.0' }] }],
            versions: [],
            fixed: ['2.31.0'],
          },
        ],
        references: [
          { type: 'WEB', url: 'https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q' },
          { type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-32681' },
          { type: 'PACKAGE', url: 'https://github.com/psf/requests' },
        ],
        publishedAt: '2023-05-22T20:36:32Z',
        modifiedAt: '2023-11-08T04:11:51Z',
        withdrawnAt: null,
      },
    });
    expect(() => AdvisorySchema.parse(records[0]!.type === 'advisory' && records[0]!.value)).not.toThrow();
  });

  it('streams an array of records, keeping SEMVER ranges and GIT-only entries (repository as package)', async () => {
    const records = await parse(fileSource(path.join(OWN, 'go-and-git-records.json')));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['advisory', '/0'],
      ['advisory', '/1'],
    ]);
    const [go, libwebp] = records.flatMap((r) => (r.type === 'advisory' ? [r.value] : []));
    expect(go).toMatchObject({
      id: 'GO-2023-1571',
      aliases: ['CVE-2022-41723', 'GHSA-vvpx-j8f3-3w6h'],
      title: 'Denial of service via crafted HTTP/2 stream in net/http and golang.org/x/net',
      severity: 'unknown',
      cvssVector: null,
      cvssScore: null,
      cwes: [],
      affected: [
        {
          ecosystem: 'Go',
          package: 'stdlib',
          ranges: [
            {
              type: 'SEMVER',
              events: [{ introduced: '0' }, { fixed: '1.19.6' }, { introduced: '1.20.0-0' }, { fixed: '1.20.1' }],
            },
          ],
          versions: [],
          fixed: ['1.19.6', '1.20.1'],
        },
        {
          ecosystem: 'Go',
          package: 'golang.org/x/net',
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.7.0' }] }],
          versions: [],
          fixed: ['0.7.0'],
        },
      ],
    });
    expect(libwebp).toMatchObject({
      id: 'CVE-2023-4863',
      aliases: [],
      title: null,
      severity: 'high',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H',
      cvssScore: 8.8,
      affected: [
        {
          ecosystem: 'GIT',
          package: 'https://chromium.googlesource.com/webm/libwebp',
          ranges: [
            { type: 'GIT', events: [{ introduced: '0' }, { fixed: '902bc9190331343b2017211debcec8d2ab87e17a' }] },
          ],
          versions: ['v1.3.0', 'v1.3.1'],
          fixed: ['902bc9190331343b2017211debcec8d2ab87e17a'],
        },
      ],
    });
  });

  it('keeps a withdrawn record, with its withdrawal date', async () => {
    const record = { ...JSON.parse(ownText('requests-proxy-auth-leak.json')), withdrawn: '2023-06-01T00:00:00Z' };
    const [advisory] = await advisories(textSource('withdrawn.json', JSON.stringify(record)));
    expect(advisory?.withdrawnAt).toBe('2023-06-01T00:00:00Z');
  });

  it('reads an ecosystem all.zip export entry by entry, naming entries in pointers and errors', async () => {
    const zip = zipSync({
      'GHSA-j8r2-6x86-q33q.json': strToU8(ownText('requests-proxy-auth-leak.json')),
      'README.md': strToU8('# not a record'),
      'nested/': new Uint8Array(0),
    });
    const records = await parse(textSource('PyPI/all.zip', Buffer.from(zip)));
    expect(records).toEqual([
      expect.objectContaining({ type: 'advisory', pointer: 'GHSA-j8r2-6x86-q33q.json' }),
      { type: 'warning', pointer: 'README.md', message: 'not a .json entry; skipped' },
    ]);
    expect(records[0]!.type === 'advisory' && records[0]!.value.id).toBe('GHSA-j8r2-6x86-q33q');

    const bad = zipSync({
      'GHSA-ok.json': strToU8(ownText('requests-proxy-auth-leak.json')),
      'bad.json': strToU8('{"id": '),
    });
    const error = await ingestError(textSource('npm/all.zip', Buffer.from(bad)));
    expect(error.message).toContain('npm/all.zip!bad.json (osv)');
    expect(error.message).toContain('invalid JSON');

    const invalid = zipSync({ 'GHSA-x.json': strToU8('{"modified": "2024-01-01T00:00:00Z"}') });
    expect((await ingestError(textSource('Go/all.zip', Buffer.from(invalid)))).message).toBe(
      'Go/all.zip!GHSA-x.json (osv) at /id: expected "id" to be a string (it is missing)',
    );
  });

  it('rejects a truncated zip and limits the size of an entry', async () => {
    const zip = Buffer.from(zipSync({ 'a.json': strToU8(ownText('requests-proxy-auth-leak.json')) }));
    const error = await ingestError(textSource('all.zip', zip.subarray(0, zip.length - 30)));
    expect(error.message).toMatch(/^all\.zip \(osv\) at byte \d+: .*truncated/);

    const entries = [];
    for await (const entry of zipEntries(textSource('all.zip', zip), 'osv', {
      maxEntryBytes: 100,
      maxTotalBytes: 1e9,
    })) {
      entries.push(entry);
    }
    expect(entries).toEqual([{ name: 'a.json', error: 'larger than 100 bytes uncompressed' }]);
  });
});

const requestsText = ownText('requests-proxy-auth-leak.json');
const requests = () => JSON.parse(requestsText);

function withoutId(): string {
  const { id: _id, ...record } = requests();
  return JSON.stringify(record);
}

function withBadRangeType(): string {
  const records = JSON.parse(ownText('go-and-git-records.json'));
  records[1].affected[0].ranges[0].type = 'RANGE';
  return JSON.stringify(records);
}

function withoutPackage(): string {
  const record = requests();
  delete record.affected[0].package;
  return JSON.stringify(record);
}

describeBadInput(format, [
  ['invalid JSON', '{"id": "GHSA-1", }', /^bad\.json \(osv\) at byte \d+: invalid JSON/],
  [
    'a truncated file',
    requestsText.slice(0, requestsText.length / 2),
    /^cut\.json \(osv\) at byte \d+: the JSON document is truncated/,
    { file: 'cut.json' },
  ],
  ['an empty file', '', 'empty.json (osv): the file is empty; expected an OSV record', { file: 'empty.json' }],
  [
    'a record without an id, pointing at the field',
    withoutId(),
    'no-id.json (osv) at /id: expected "id" to be a string (it is missing)',
    { file: 'no-id.json' },
  ],
  [
    'a bad value deep in an array, pointing into it and into nested fields',
    withBadRangeType(),
    'array.json (osv) at /1/affected/0/ranges/0/type: expected "affected[0].ranges[0].type" to be one of "SEMVER", "ECOSYSTEM", "GIT"',
    { file: 'array.json', pointer: '/1/affected/0/ranges/0/type' },
  ],
  [
    'an affected entry that names neither a package nor a repository',
    withoutPackage(),
    'nameless.json (osv) at /affected/0: "affected[0]": expected "package" or a GIT range with "repo"',
    { file: 'nameless.json' },
  ],
]);

describe.skipIf(!hasSharedFixtures)(hasSharedFixtures ? 'osv: GitHub advisory samples' : SKIP_NO_FIXTURES, () => {
  const files = sharedFiles('osv');

  it('parses every sample into one valid advisory named like its file', async () => {
    expect(files.length).toBeGreaterThanOrEqual(33);
    for (const file of files) {
      const records = await parse(fileSource(file));
      expect(records, file).toHaveLength(1);
      const record = records[0]!;
      expect(record.type).toBe('advisory');
      if (record.type !== 'advisory') continue;
      expect(record.value.id).toBe(path.basename(file, '.json'));
      expect(() => AdvisorySchema.parse(record.value), file).not.toThrow();
    }
  });

  it('merges a package split over several affected entries and collects every fixed version (log4j)', async () => {
    const [advisory] = await advisories(fileSource(path.join(SAMPLES, 'maven/GHSA-jfh8-c2jp-5v3q.json')));
    expect(advisory).toMatchObject({
      id: 'GHSA-jfh8-c2jp-5v3q',
      source: 'osv',
      aliases: ['CVE-2021-44228'],
      title: 'Remote code injection in Log4j',
      severity: 'critical',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H',
      cvssScore: 10,
      cwes: ['CWE-20', 'CWE-400', 'CWE-502', 'CWE-917'],
      affected: [
        {
          ecosystem: 'Maven',
          package: 'org.apache.logging.log4j:log4j-core',
          ranges: [
            { type: 'ECOSYSTEM', events: [{ introduced: '2.13.0' }, { fixed: '2.15.0' }] },
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.3.1' }] },
            { type: 'ECOSYSTEM', events: [{ introduced: '2.4' }, { fixed: '2.12.2' }] },
          ],
          versions: [],
          fixed: ['2.15.0', '2.3.1', '2.12.2'],
        },
      ],
      publishedAt: '2021-12-10T00:40:56Z',
      modifiedAt: '2022-03-25T20:56:18Z',
      withdrawnAt: null,
    });
    expect(advisory?.details).toMatch(/^# Summary\n\nLog4j versions prior to 2\.16\.0/);
    expect(advisory?.references).toHaveLength(62);
    expect(advisory?.references?.at(-1)).toEqual({
      type: 'WEB',
      url: 'http://www.openwall.com/lists/oss-security/2021/12/15/3',
    });
  });

  it('keeps last_affected bounds, which have no fixed version (lodash ReDoS)', async () => {
    const [advisory] = await advisories(fileSource(path.join(SAMPLES, 'npm/GHSA-29mw-wpgm-hmr9.json')));
    expect(advisory?.severity).toBe('medium');
    expect(advisory?.cvssScore).toBe(5.3);
    expect(advisory?.cwes).toEqual(['CWE-1333', 'CWE-400']);
    expect(advisory?.affected?.find((a) => a.package === 'lodash.trim')).toEqual({
      ecosystem: 'npm',
      package: 'lodash.trim',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '4.5.1' }] }],
      versions: [],
      fixed: [],
    });
  });

  it('prefers the CVSS v3 vector when v4 is also given (send)', async () => {
    const [advisory] = await advisories(fileSource(path.join(SAMPLES, 'npm/GHSA-m6fv-jmcg-4jfg.json')));
    expect(advisory).toMatchObject({
      aliases: ['CVE-2024-43799'],
      severity: 'medium',
      cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L',
      cvssScore: 5,
      cwes: ['CWE-79'],
    });
  });

  it('takes the severity from GitHub when the record has no CVSS vector (jsonwebtoken)', async () => {
    const [advisory] = await advisories(fileSource(path.join(SAMPLES, 'npm/GHSA-8cf7-32gw-wr33.json')));
    expect(advisory).toMatchObject({
      id: 'GHSA-8cf7-32gw-wr33',
      aliases: ['CVE-2022-23539'],
      title: 'jsonwebtoken unrestricted key type could lead to legacy keys usage',
      severity: 'medium',
      cvssVector: null,
      cvssScore: null,
      cwes: ['CWE-327'],
      publishedAt: '2022-12-22T03:32:22Z',
      modifiedAt: '2022-12-23T00:39:12Z',
    });
  });

  it('keeps every ecosystem of a multi-ecosystem advisory (jQuery)', async () => {
    const [advisory] = await advisories(fileSource(path.join(SAMPLES, 'npm/GHSA-gxr4-xjj5-5px2.json')));
    expect(advisory?.affected?.map((a) => [a.ecosystem, a.package, a.fixed])).toEqual([
      ['npm', 'jquery', ['3.5.0']],
      ['NuGet', 'jquery', ['3.5.0']],
      ['RubyGems', 'jquery-rails', ['4.4.0']],
      ['Maven', 'org.webjars.npm:jquery', ['3.5.0']],
    ]);
  });
});

describe('osv: detection', () => {
  it('claims OSV records, arrays of records and all.zip exports', () => {
    expect(format.detect(ownText('requests-proxy-auth-leak.json'), 'GHSA-j8r2-6x86-q33q.json')).toBe(0.9);
    expect(format.detect(ownText('go-and-git-records.json'), 'records.json')).toBe(0.9);
    const zip = Buffer.from(zipSync({ 'GHSA-1.json': strToU8('{}') })).toString('utf8');
    expect(format.detect(zip, 'all.zip')).toBe(0.9);
    expect(format.detect(zip, 'download')).toBe(0.4);
  });

  it('does not claim a report whose first member is not an OSV field', () => {
    expect(
      format.detect(
        '{"results": [{"packages": [{"vulnerabilities": [{"id": "GHSA-1", "modified": "x"}]}]}]}',
        'r.json',
      ),
    ).toBe(0);
    expect(format.detect('{"id": "x", "name": "y"}', 'package.json')).toBe(0);
  });
});

describeSharedDetection(format, ['osv'], async (score, file) => {
  expect(score, file).toBe(0.9);
  expect(await detectFile(file), file).toBe('osv');
});
