import type { z } from 'zod';
import type { EpssScoreSchema } from '../../domain/intel.ts';
import { normalizeVulnId } from '../common/normalize.ts';

type EpssInput = z.input<typeof EpssScoreSchema>;

/** What the `#model_version:...,score_date:...` line before the header states. */
export type EpssModel = { modelVersion: string | null; scoreDate: string | null };

/** Column positions from the header; `cve`, `epss` and `percentile` are all required. */
export type EpssColumns = { cve: number; epss: number; percentile: number; count: number };

/** Reads `#model_version:v2025.03.14,score_date:2025-06-01T00:00:00+0000`; other first lines state nothing. */
export function readModelLine(line: string): EpssModel {
  if (!line.startsWith('#')) return { modelVersion: null, scoreDate: null };
  const fields = new Map(
    line
      .slice(1)
      .split(',')
      .map((pair) => {
        const colon = pair.indexOf(':');
        return colon < 0
          ? [pair.trim(), '']
          : [pair.slice(0, colon).trim().toLowerCase(), pair.slice(colon + 1).trim()];
      }),
  );
  return { modelVersion: fields.get('model_version') || null, scoreDate: fields.get('score_date') || null };
}

/** The header's column positions, or null when it lacks one of the required columns. */
export function readHeader(cells: readonly string[]): EpssColumns | null {
  const names = cells.map((cell) => cell.trim().toLowerCase());
  const [cve, epss, percentile] = ['cve', 'epss', 'percentile'].map((name) => names.indexOf(name)) as [
    number,
    number,
    number,
  ];
  return cve < 0 || epss < 0 || percentile < 0 ? null : { cve, epss, percentile, count: names.length };
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/** One score row, or what is wrong with it (said as what was expected). */
export function readRow(cells: readonly string[], columns: EpssColumns, model: EpssModel): EpssInput | string {
  if (cells.length !== columns.count) {
    return `expected as many columns as the header (${columns.count}), found ${cells.length}`;
  }
  const raw = cells[columns.cve] ?? '';
  // The feed writes canonical ids; normalizing only the others keeps 300k rows cheap.
  const cveId = CVE_ID.test(raw) ? raw : normalizeVulnId(raw);
  if (!CVE_ID.test(cveId))
    return `expected "cve" to be a CVE id like CVE-2024-1234, found ${JSON.stringify(cells[columns.cve])}`;
  const score = probability(cells[columns.epss]);
  if (score === null)
    return `expected "epss" to be a number between 0 and 1, found ${JSON.stringify(cells[columns.epss])}`;
  const percentile = probability(cells[columns.percentile]);
  if (percentile === null) {
    return `expected "percentile" to be a number between 0 and 1, found ${JSON.stringify(cells[columns.percentile])}`;
  }
  return { cveId, score, percentile, modelVersion: model.modelVersion, scoreDate: model.scoreDate };
}

function probability(text: string | undefined): number | null {
  if (!text?.trim()) return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : null;
}
