import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { FindingSchema } from '../../src/domain/finding.ts';
import {
  detectFile,
  fileSource,
  findingsOf,
  hasSharedFixtures,
  parseWith,
  SHARED_FIXTURES,
  SKIP_NO_FIXTURES,
} from './fixtures.ts';

type FindingInput = z.input<typeof FindingSchema>;

type Check = { index?: number; where?: Record<string, unknown>; field: string; value: unknown; op?: 'contains' };
type Expectation = { findings?: number; findings_min?: number; checks?: Check[]; notes?: string };

export type ConformanceOptions = {
  /** Folder under ../shared/fixtures/scanners/. */
  folder: string;
  /** Our format name (src/ingest/<name>). */
  format: string;
  /**
   * Our finding expressed in DefectDojo's field names, for the facts DefectDojo's tests assert
   * (severity Critical/High/..., component_name, vulnerability_ids, cwe, ...).
   */
  view(finding: FindingInput, all: FindingInput[]): Record<string, unknown>;
  /**
   * Which of our findings DefectDojo would count (e.g. without VEX-suppressed records).
   * Defaults to all. Index-based checks refer to this list.
   */
  counted?(findings: FindingInput[]): FindingInput[];
  /** Files where our count differs from DefectDojo's by design: our count and the reason. */
  counts?: Record<string, { findings: number; reason: string }>;
  /** DefectDojo fields we do not model, with the reason; checks on them are listed, not passed. */
  unsupported?: Record<string, string>;
  /** Sample files (base names) that are not ours to parse (e.g. XML variants), with the reason. */
  skipFiles?: Record<string, string>;
};

function read(view: Record<string, unknown>, field: string): unknown {
  const indexed = /^(.+)\[(\d+)\]$/.exec(field);
  if (indexed) return (view[indexed[1]!] as unknown[] | undefined)?.[Number(indexed[2])];
  if (field.endsWith('_set')) return view[field.slice(0, -4)];
  if (field === 'cwe_one_of') return view.cwe;
  return view[field];
}

function baseField(field: string): string {
  return field
    .replace(/\[\d+\]$/, '')
    .replace(/_set$/, '')
    .replace(/^cwe_one_of$/, 'cwe');
}

function assertCheck(actual: unknown, check: Check, label: string): void {
  if (check.field === 'cwe_one_of') {
    expect(check.value as unknown[], label).toContain(actual);
  } else if (check.field.endsWith('_set')) {
    expect(new Set(actual as unknown[]), label).toEqual(new Set(check.value as unknown[]));
  } else if (check.op === 'contains') {
    if (Array.isArray(actual)) expect(actual, label).toContain(check.value);
    else expect(String(actual ?? ''), label).toContain(String(check.value));
  } else if (typeof check.value === 'number' && typeof actual === 'number' && !Number.isInteger(check.value)) {
    expect(actual, label).toBeCloseTo(check.value, 6);
  } else {
    expect(actual, label).toEqual(check.value);
  }
}

/**
 * Runs every `*.expect.json` of a fixture folder against our parser: the count (or our count
 * and the documented reason it differs) and each asserted field. Skips with a message when
 * ../shared/fixtures is absent so `npm test` passes on a fresh clone.
 */
export function describeConformance(options: ConformanceOptions): void {
  const dir = path.join(SHARED_FIXTURES, 'scanners', options.folder);
  describe.skipIf(!hasSharedFixtures)(`${options.format}: conformance with ${options.folder} samples`, () => {
    if (!hasSharedFixtures) {
      it.skip(SKIP_NO_FIXTURES, () => undefined);
      return;
    }
    const samples = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.expect.json'))
      .map((f) => f.replace(/\.expect\.json$/, ''))
      .filter((f) => !options.skipFiles?.[f]);

    it.each(samples)('%s', async (sample) => {
      const file = path.join(dir, sample);
      const expectation = JSON.parse(fs.readFileSync(`${file}.expect.json`, 'utf8')) as Expectation;
      expect(await detectFile(file), 'auto-detected format').toBe(options.format);
      const all = findingsOf(await parseWith(options.format, fileSource(file)));
      const counted = options.counted ? options.counted(all) : all;
      const override = options.counts?.[sample];
      if (override) expect(counted.length, override.reason).toBe(override.findings);
      else if (expectation.findings !== undefined) expect(counted.length, 'finding count').toBe(expectation.findings);
      else if (expectation.findings_min !== undefined) expect(counted.length).toBeGreaterThan(expectation.findings_min);

      const views = counted.map((f) => options.view(f, all));
      for (const check of expectation.checks ?? []) {
        const field = baseField(check.field);
        if (options.unsupported?.[field]) continue;
        let view: Record<string, unknown> | undefined;
        if (check.where) {
          const [key, value] = Object.entries(check.where)[0]!;
          view = views.find((v) => v[key] === value);
          expect(view, `a finding with ${key}=${String(value)}`).toBeDefined();
        } else {
          view = views[check.index ?? 0];
          expect(view, `finding #${check.index}`).toBeDefined();
        }
        expect(Object.hasOwn(view!, field), `the view must provide "${field}" or list it as unsupported`).toBe(true);
        assertCheck(
          read(view!, check.field),
          check,
          `${sample} #${check.index ?? JSON.stringify(check.where)} ${check.field}`,
        );
      }
    });
  });
}
