import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AssetSchema } from '../../../src/domain/asset.ts';
import { ControlSchema } from '../../../src/domain/control.ts';
import type { Source } from '../../../src/ingest/format.ts';
import { format } from '../../../src/ingest/inventory/parser.ts';
import { fileSource, OWN_FIXTURES, parseAll, textSource } from '../../helpers/fixtures.ts';
import { describeBadInput, describeSharedDetection } from '../../helpers/ingest-tests.ts';

const ESTATE = path.join(OWN_FIXTURES, 'inventory', 'estate.yaml');
const DOC = path.resolve(import.meta.dirname, '../../../docs/inventory.md');

const parse = (source: Source) => parseAll(format, source);

const ASSET = 'assets:\n  - id: web-1\n    name: Web 1\n    kind: host\n';

describe('inventory: the example estate (docs/inventory.md)', () => {
  it('emits every asset and control in order, each valid against the domain schema', async () => {
    const records = await parse(fileSource(ESTATE));
    expect(records.map((r) => [r.type, r.pointer])).toEqual([
      ['asset', '/assets/0'],
      ['asset', '/assets/1'],
      ['asset', '/assets/2'],
      ['asset', '/assets/3'],
      ['asset', '/assets/4'],
      ['control', '/controls/0'],
      ['control', '/controls/1'],
      ['control', '/controls/2'],
    ]);
    for (const record of records) {
      if (record.type === 'asset') expect(() => AssetSchema.parse(record.value), record.pointer).not.toThrow();
      else if (record.type === 'control') expect(() => ControlSchema.parse(record.value), record.pointer).not.toThrow();
    }
  });

  it('keeps asset fields as written, and the schema fills the defaults', async () => {
    const records = await parse(fileSource(ESTATE));
    const orders = records.find((r) => r.type === 'asset' && r.value.id === 'orders-db');
    expect(orders).toEqual({
      type: 'asset',
      pointer: '/assets/2',
      value: {
        id: 'orders-db',
        name: 'Orders database (RDS PostgreSQL)',
        kind: 'cloud_resource',
        environment: 'production',
        criticality: 'crown_jewel',
        internetExposure: 'isolated',
        dataSensitivity: 'restricted',
        team: 'platform',
        network: 'data',
        tags: ['pci', 'database'],
        identifiers: [
          { kind: 'arn', value: 'arn:aws:rds:eu-west-1:123456789012:db:orders-prod' },
          { kind: 'account', value: '123456789012' },
        ],
      },
    });
    const runner = records.find((r) => r.type === 'asset' && r.value.id === 'build-runner-02');
    expect(runner?.type === 'asset' && AssetSchema.parse(runner.value)).toEqual({
      id: 'build-runner-02',
      name: 'CI build runner',
      kind: 'host',
      environment: 'development',
      criticality: 'low',
      internetExposure: 'internal',
      dataSensitivity: 'internal',
      team: 'platform',
      network: 'build',
      tags: [],
      identifiers: [{ kind: 'hostname', value: 'build-runner-02.ci.example.com' }],
      attributes: {},
    });
  });

  it('reads the WAF in block mode with its virtual-patch rule, the EDR in detect mode and the segmentation', async () => {
    const controls = (await parse(fileSource(ESTATE))).flatMap((r) =>
      r.type === 'control' ? [ControlSchema.parse(r.value)] : [],
    );
    const [waf, edr, segmentation] = controls;
    expect(waf).toMatchObject({
      id: 'waf-storefront',
      kind: 'waf',
      mode: 'block',
      scope: { assetIds: ['storefront-web'] },
    });
    expect(waf?.rules[0]).toEqual({
      id: 'vp-spring4shell',
      name: 'Block class.module.classLoader data binding (Spring4Shell)',
      cves: ['CVE-2022-22965'],
      cwes: ['CWE-94'],
      capabilities: ['virtual_patch'],
      enabled: true,
    });
    expect(waf?.lastVerifiedAt).toEqual(new Date('2025-05-28T09:30:00Z'));
    expect(edr).toMatchObject({
      id: 'edr-servers',
      kind: 'edr',
      mode: 'detect',
      scope: { assetIds: [], tags: [], environments: ['production', 'development'], networks: [] },
    });
    expect(segmentation).toMatchObject({
      id: 'seg-data-tier',
      kind: 'segmentation',
      mode: 'block',
      scope: { networks: ['data'] },
      capabilities: ['network_isolation', 'internet_block'],
      attributes: { allowedSources: ['app-tier'] },
    });
  });

  it('is the example shown in docs/inventory.md', () => {
    const estate = fs.readFileSync(ESTATE, 'utf8');
    const example = estate.slice(estate.indexOf('assets:'));
    expect(fs.readFileSync(DOC, 'utf8')).toContain(example.trimEnd());
  });
});

describe('inventory: JSON and partial documents', () => {
  it('reads JSON, and a document with only controls', async () => {
    const json = JSON.stringify({ controls: [{ id: 'fw-1', name: 'Edge firewall', kind: 'firewall', mode: 'block' }] });
    expect(await parse(textSource('controls.json', json))).toEqual([
      {
        type: 'control',
        pointer: '/controls/0',
        value: { id: 'fw-1', name: 'Edge firewall', kind: 'firewall', mode: 'block' },
      },
    ]);
    expect(await parse(textSource('empty-lists.yaml', 'assets: []\ncontrols:\n'))).toEqual([]);
  });

  it('warns about unknown top-level keys rather than dropping them silently', async () => {
    expect(await parse(textSource('inv.yaml', `version: 2\n${ASSET}`))).toEqual([
      {
        type: 'warning',
        pointer: '/version',
        message: 'unknown top-level key "version" ignored (expected "assets" and "controls")',
      },
      { type: 'asset', pointer: '/assets/0', value: { id: 'web-1', name: 'Web 1', kind: 'host' } },
    ]);
  });
});

describeBadInput(
  format,
  [
    [
      'invalid YAML, naming the line',
      'assets:\n  - id: a\n    id: b\n',
      'inv.yaml (inventory) at line 3: invalid YAML/JSON: Map keys must be unique (column 5)',
      { pointer: 'line 3' },
    ],
    [
      'a truncated JSON document',
      JSON.stringify({ assets: [{ id: 'web-1', name: 'Web 1', kind: 'host' }] }, null, 2).slice(0, 40),
      /^inv\.json \(inventory\) at line \d+: invalid YAML\/JSON: /,
      { file: 'inv.json' },
    ],
    ['an empty file', '', 'inv.yaml (inventory): the file is empty; expected "assets" and/or "controls"'],
    [
      'a document of comments only',
      '# nothing yet\n',
      'inv.yaml (inventory): expected a mapping with "assets" and/or "controls" (the document is empty)',
    ],
    [
      'a list instead of a mapping',
      '- web-1\n- web-2\n',
      'inv.yaml (inventory) at line 1: expected a mapping with "assets" and/or "controls"',
    ],
    [
      'a mapping with neither key',
      'hosts:\n  - web-1\n',
      'inv.yaml (inventory) at line 1: expected a mapping with "assets" and/or "controls" (found neither)',
    ],
    [
      'assets that are not a list',
      'assets:\n  web-1: {}\n',
      'inv.yaml (inventory) at /assets: expected "assets" to be a list (line 2)',
    ],
    [
      'an asset that is not a mapping',
      'assets:\n  - web-1\n',
      'inv.yaml (inventory) at /assets/0: expected each assets entry to be a mapping (line 2)',
    ],
    [
      'an item missing a required field, with its pointer and line',
      `${ASSET}controls:\n  - id: waf-1\n    name: WAF\n    kind: waf\n`,
      'inv.yaml (inventory) at /controls/0/mode: "mode": Invalid option: expected one of "block"|"detect" (line 6)',
      { pointer: '/controls/0/mode' },
    ],
    [
      'a wrong value deep in an item, at the line of that value',
      `${ASSET}    identifiers:\n      - kind: mac\n        value: 00:11:22:33:44:55\n`,
      'inv.yaml (inventory) at /assets/0/identifiers/0/kind: "identifiers[0].kind": Invalid option: expected one of "hostname"|"ip"|"image"|"image_digest"|"repository_url"|"arn"|"resource_id"|"account"|"name" (line 6)',
    ],
    [
      'two assets with one id',
      `${ASSET}  - id: web-1\n    name: Web 1 again\n    kind: host\n`,
      'inv.yaml (inventory) at /assets/1/id: duplicate asset id "web-1" (first at /assets/0) (line 5)',
    ],
  ],
  { file: 'inv.yaml' },
);

describe('inventory: detection', () => {
  it('claims YAML and JSON inventories by their top-level keys and file names', () => {
    expect(format.detect(fs.readFileSync(ESTATE, 'utf8'), 'estate.yaml')).toBe(0.8);
    expect(format.detect('controls: []\n', 'controls.yml')).toBe(0.8);
    expect(format.detect('{\n  "assets": [\n', 'estate.json')).toBe(0.7);
    expect(format.detect(ASSET, 'estate.txt')).toBe(0);
    expect(format.detect('spec:\n  assets:\n    - a\n', 'chart.yaml')).toBe(0);
    expect(format.detect('{"results": [], "assets": []}', 'report.json')).toBe(0);
  });
});

// Claims no shared sample.
describeSharedDetection(format, []);
