import { loadFormats } from '../ingest/registry.ts';
import { type FileResult, ingestInputs, isFailure } from '../services/ingest/ingest-inputs.ts';
import { withRuntime } from './with-runtime.ts';

/** `mobilize ingest`: every input in its own transaction; progress on stderr. */
export async function runIngest(
  inputs: string[],
  flags: { format?: string; asset?: string; scope?: string; fullScan?: boolean },
): Promise<FileResult[]> {
  return withRuntime(async (runtime) =>
    ingestInputs(runtime.db, await loadFormats(), inputs, {
      format: flags.format,
      assetId: flags.asset,
      scope: flags.scope,
      fullScan: flags.fullScan,
      limits: { timeoutMs: runtime.config.timeouts.httpMs, maxBytes: runtime.config.server.maxBodyBytes },
      onProgress: ({ file, records }) => process.stderr.write(`${file}: ${records.toLocaleString('en')} records…\n`),
    }),
  );
}

export function formatIngestResults(results: FileResult[]): string {
  return results
    .map((r) => {
      if (isFailure(r)) return `FAIL ${r.file}${r.format ? ` (${r.format})` : ''}: ${r.error.message}`;
      const counts = [
        `${r.records} records`,
        r.findings && `${r.findings} findings (${r.new} new, ${r.updated} updated, ${r.unchanged} unchanged)`,
        r.exposures && `${r.exposures} exposures`,
        r.suppressed && `${r.suppressed} suppressed`,
        r.fixed && `${r.fixed} fixed`,
        r.advisories && `${r.advisories} advisories`,
        r.kev && `${r.kev} KEV entries`,
        r.epss && `${r.epss} EPSS scores`,
        r.assets && `${r.assets} assets`,
        r.controls && `${r.controls} controls`,
      ].filter(Boolean);
      const warnings = r.warnings.map((w) => `     warning: ${w}`);
      return [`ok   ${r.file} (${r.format}): ${counts.join(', ')}`, ...warnings].join('\n');
    })
    .join('\n');
}
