import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KevEntrySchema } from '../../../src/domain/intel.ts';
import type { Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/kev/parser.ts';
import {
  detectFile,
  fileSource,
  hasSharedFixtures,
  OWN_FIXTURES,
  parseAll,
  SHARED_FIXTURES,
  SKIP_NO_FIXTURES,
  textSource,
} from '../../helpers/fixtures.ts';
import { describeBadInput, describeSharedDetection } from '../../helpers/ingest-tests.ts';

const OWN = path.join(OWN_FIXTURES, 'kev', 'catalog-excerpt.json');
const CATALOG = path.join(SHARED_FIXTURES, 'feeds', 'known_exploited_vulnerabilities.json');

const parse = (source: Source) => parseAll(format, source);

const catalog = () => JSON.parse(fs.readFileSync(OWN, 'utf8'));

describe('kev: own fixture', () => {
  it('maps every catalog entry field by field, stamped with the catalog version', async () => {
    const records = await parse(fileSource(OWN));
    expect(records).toEqual([
      {
        type: 'kev',
        pointer: '/vulnerabilities/0',
        value: {
          cveId: 'CVE-2024-3400',
          vendor: 'Palo Alto Networks',
          product: 'PAN-OS',
          name: 'Palo Alto Networks PAN-OS Command Injection Vulnerability',
          dateAdded: '2024-04-12',
          dueDate: '2024-04-19',
          requiredAction:
            'Apply mitigations per vendor instructions as they become available. Otherwise, users with vulnerable versions of affected devices should enable Threat Prevention IDs available from the vendor. See the vendor bulletin for more details and a patch release schedule.',
          ransomware: true,
          notes:
            'https://security.paloaltonetworks.com/CVE-2024-3400 ;   https://nvd.nist.gov/vuln/detail/CVE-2024-3400',
          cwes: ['CWE-20', 'CWE-77'],
          catalogVersion: '2025.06.02',
        },
      },
      {
        type: 'kev',
        pointer: '/vulnerabilities/1',
        value: {
          cveId: 'CVE-2023-4863',
          vendor: 'Google',
          product: 'Chromium WebP',
          name: 'Google Chromium WebP Heap-Based Buffer Overflow Vulnerability',
          dateAdded: '2023-09-13',
          dueDate: '2023-10-04',
          requiredAction:
            'Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.',
          ransomware: false,
          notes:
            'https://chromereleases.googleblog.com/2023/09/stable-channel-update-for-desktop_11.html?m=1; https://nvd.nist.gov/vuln/detail/CVE-2023-4863',
          cwes: ['CWE-787'],
          catalogVersion: '2025.06.02',
        },
      },
      {
        type: 'kev',
        pointer: '/vulnerabilities/2',
        value: {
          cveId: 'CVE-2022-22965',
          vendor: 'VMware',
          product: 'Spring Framework',
          name: 'Spring Framework JDK 9+ Remote Code Execution Vulnerability',
          dateAdded: '2022-04-04',
          dueDate: '2022-04-25',
          requiredAction: 'Apply updates per vendor instructions.',
          ransomware: false,
          notes: null,
          cwes: [],
          catalogVersion: '2025.06.02',
        },
      },
    ]);
    for (const record of records)
      if (record.type === 'kev') expect(() => KevEntrySchema.parse(record.value)).not.toThrow();
  });

  it('warns when the stated count disagrees with the entries read', async () => {
    const text = JSON.stringify({ ...catalog(), count: 5 });
    const records = await parse(textSource('kev.json', text));
    expect(records.filter((r) => r.type === 'kev')).toHaveLength(3);
    expect(records.at(-1)).toEqual({
      type: 'warning',
      pointer: '/count',
      message: 'the catalog states count 5 but lists 3 entries',
    });
  });

  it('waits for a catalogVersion stated after the entries', async () => {
    const { catalogVersion, ...rest } = catalog();
    const records = await parse(textSource('kev.json', JSON.stringify({ ...rest, catalogVersion })));
    expect(records.map((r) => (r.type === 'kev' ? [r.pointer, r.value.catalogVersion] : r.type))).toEqual([
      ['/vulnerabilities/0', '2025.06.02'],
      ['/vulnerabilities/1', '2025.06.02'],
      ['/vulnerabilities/2', '2025.06.02'],
    ]);
  });
});

/** The own catalog, changed by `edit`, as text. */
function catalogWith(edit: (document: ReturnType<typeof catalog>) => void): string {
  const document = catalog();
  edit(document);
  return JSON.stringify(document);
}

describeBadInput(
  format,
  [
    ['invalid JSON', '{"catalogVersion": 2025.06.02}', /^kev\.json \(kev\) at byte \d+: invalid JSON/],
    [
      'a truncated catalog',
      fs.readFileSync(OWN, 'utf8').slice(0, 1500),
      /^kev\.json \(kev\) at byte \d+: the JSON document is truncated/,
    ],
    ['an empty file', '', /^kev\.json \(kev\) at byte 0: the file is empty/],
    [
      'an entry without its CVE id, pointing at the field',
      catalogWith((document) => {
        delete document.vulnerabilities[1].cveID;
      }),
      'kev.json (kev) at /vulnerabilities/1/cveID: expected "cveID" to be a string (it is missing)',
      { pointer: '/vulnerabilities/1/cveID' },
    ],
    [
      'a malformed date',
      catalogWith((document) => {
        document.vulnerabilities[0].dateAdded = '04/12/2024';
      }),
      'kev.json (kev) at /vulnerabilities/0/dateAdded: unexpected value for "dateAdded": expected a date YYYY-MM-DD',
    ],
    [
      'a document that is not a catalog',
      '{"results": []}',
      'other.json (kev): expected a KEV catalog: an object with "catalogVersion" and a "vulnerabilities" array',
      { file: 'other.json' },
    ],
    [
      'a catalog whose "vulnerabilities" is not an array',
      '{"catalogVersion": "1", "vulnerabilities": {"a": {}}}',
      'obj.json (kev) at /vulnerabilities: expected "vulnerabilities" to be an array',
      { file: 'obj.json' },
    ],
  ],
  { file: 'kev.json' },
);

describe.skipIf(!hasSharedFixtures)(hasSharedFixtures ? 'kev: CISA catalog sample' : SKIP_NO_FIXTURES, () => {
  it('streams all 1404 entries of the published catalog, without a count warning', async () => {
    const records = await parse(fileSource(CATALOG));
    expect(records).toHaveLength(1404);
    expect(records.every((r) => r.type === 'kev')).toBe(true);
    const entries = records.flatMap((r) => (r.type === 'kev' ? [r.value] : []));
    for (const entry of entries) expect(() => KevEntrySchema.parse(entry), entry.cveId).not.toThrow();
    expect(entries.filter((e) => e.ransomware)).toHaveLength(293);
    expect(entries[0]).toMatchObject({
      cveId: 'CVE-2025-48384',
      dateAdded: '2025-08-25',
      dueDate: '2025-09-15',
      cwes: ['CWE-59', 'CWE-436'],
    });
  });

  it('maps the log4j entry exactly', async () => {
    const records = await parse(fileSource(CATALOG));
    expect(records.find((r) => r.type === 'kev' && r.value.cveId === 'CVE-2021-44228')).toEqual({
      type: 'kev',
      pointer: '/vulnerabilities/1107',
      value: {
        cveId: 'CVE-2021-44228',
        vendor: 'Apache',
        product: 'Log4j2',
        name: 'Apache Log4j2 Remote Code Execution Vulnerability',
        dateAdded: '2021-12-10',
        dueDate: '2021-12-24',
        requiredAction:
          'For all affected software assets for which updates exist, the only acceptable remediation actions are: 1) Apply updates; OR 2) remove affected assets from agency networks. Temporary mitigations using one of the measures provided at https://www.cisa.gov/uscert/ed-22-02-apache-log4j-recommended-mitigation-measures are only acceptable until updates are available.',
        ransomware: true,
        notes: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
        cwes: ['CWE-20', 'CWE-400', 'CWE-502'],
        catalogVersion: '2025.08.25',
      },
    });
  });
});

describe('kev: detection', () => {
  it('claims the catalog by its header', () => {
    expect(format.detect(fs.readFileSync(OWN, 'utf8'), 'catalog-excerpt.json')).toBe(0.95);
  });

  it('does not claim the catalog JSON schema', () => {
    expect(
      format.detect(
        '{"$schema": "http://json-schema.org/draft-07/schema#", "title": "CISA Catalog of Known Exploited Vulnerabilities", "properties": {"catalogVersion": {"type": "string"}}}',
        's.json',
      ),
    ).toBe(0);
  });
});

// The catalog, and no other shared sample (nor the catalog's JSON schema).
describeSharedDetection(format, ['feeds/known_exploited_vulnerabilities.json'], async (score, file) => {
  expect(score).toBe(0.95);
  expect(await detectFile(file)).toBe('kev');
});
