/**
 * Ingest benchmark: `npm run bench:ingest -- [--findings 200000] [--images 400] [--backend all|postgres|pglite]`.
 * Generates a synthetic Trivy report, then in separate child processes (so each peak RSS is
 * its own) measures our streaming ingest and, as the baseline on the same machine and input,
 * JSON.parse of the file plus a plain bulk load of the same rows into an unindexed table.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadFormats } from '../src/ingest/registry.ts';
import { ingestInput } from '../src/services/ingest/ingest-input.ts';
import { fileInput } from '../src/services/ingest/sources.ts';
import { openBenchDatabase } from './bench-database.ts';
import { writeSyntheticTrivy } from './synthetic-trivy.ts';

type Measurement = { seconds: number; findings: number; peakRssMb: number; note?: string };

const { values } = parseArgs({
  options: {
    findings: { type: 'string', default: '200000' },
    images: { type: 'string' },
    backend: { type: 'string', default: 'all' },
    child: { type: 'string' },
    file: { type: 'string' },
    url: { type: 'string' },
  },
});

const MAX_BASELINE_BYTES = 480 * 1024 * 1024; // V8 cannot hold a much larger string for JSON.parse

async function childOurs(backend: string, file: string, url: string | undefined): Promise<Measurement> {
  const { db, drop } = await openBenchDatabase(backend, url);
  try {
    const format = (await loadFormats()).get('trivy');
    const started = performance.now();
    const summary = await ingestInput(db, format, fileInput(file, Number.MAX_SAFE_INTEGER), { scope: 'bench' });
    const seconds = (performance.now() - started) / 1000;
    return { seconds, findings: summary.findings, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await db.close();
    await drop();
  }
}

/** JSON.parse of the whole file, then the same normalized rows bulk-loaded with no correlation. */
async function childBaseline(backend: string, file: string, url: string | undefined): Promise<Measurement> {
  if (fs.statSync(file).size > MAX_BASELINE_BYTES) {
    return { seconds: Number.NaN, findings: 0, peakRssMb: 0, note: 'file too large for JSON.parse (V8 string limit)' };
  }
  const { db, drop } = await openBenchDatabase(backend, url);
  try {
    await db.query(`CREATE TABLE baseline_findings (fingerprint text, asset text, rule_id text, package_name text,
      package_version text, fixed_versions text, severity text, title text, description text, cvss_vector text,
      cvss_score numeric, raw jsonb)`);
    const started = performance.now();
    type Vuln = Record<string, unknown> & { CVSS?: { nvd?: { V3Vector?: string; V3Score?: number } } };
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      Vulnerabilities: { Namespace: string; Name: string; Results: { Target: string; Vulnerabilities: Vuln[] }[] }[];
    };
    const rows: unknown[][] = [];
    let findings = 0;
    const flush = async () => {
      if (!rows.length) return;
      const columns = rows[0]!.map((_, i) => rows.map((r) => r[i]));
      await db.query(
        `INSERT INTO baseline_findings SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
           $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::numeric[], $12::jsonb[])`,
        columns,
      );
      rows.length = 0;
    };
    for (const resource of report.Vulnerabilities) {
      for (const result of resource.Results) {
        for (const v of result.Vulnerabilities) {
          findings++;
          rows.push([
            `${result.Target}|${v.VulnerabilityID}|${v.PkgName}`,
            result.Target,
            v.VulnerabilityID,
            v.PkgName,
            v.InstalledVersion,
            v.FixedVersion,
            String(v.Severity).toLowerCase(),
            v.Title,
            v.Description,
            v.CVSS?.nvd?.V3Vector ?? null,
            v.CVSS?.nvd?.V3Score ?? null,
            JSON.stringify(v),
          ]);
          if (rows.length >= 5000) await flush();
        }
      }
    }
    await flush();
    const seconds = (performance.now() - started) / 1000;
    return { seconds, findings, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    await db.close();
    await drop();
  }
}

async function runChild(kind: string, backend: string, file: string, url: string | undefined): Promise<Measurement> {
  const args = [import.meta.filename, '--child', kind, '--backend', backend, '--file', file];
  if (url) args.push('--url', url);
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 20, timeout: 3_600_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measurement;
}

function row(label: string, m: Measurement): string {
  if (m.note) return `${label.padEnd(28)} ${'-'.padStart(12)} ${'-'.padStart(10)} ${'-'.padStart(10)}   ${m.note}`;
  const rate = m.findings / m.seconds;
  return `${label.padEnd(28)} ${Math.round(rate).toLocaleString('en').padStart(12)} ${m.seconds.toFixed(1).padStart(10)} ${Math.round(m.peakRssMb).toLocaleString('en').padStart(10)}`;
}

async function main(): Promise<void> {
  if (values.child) {
    const measure = values.child === 'ours' ? childOurs : childBaseline;
    console.log(JSON.stringify(await measure(values.backend!, values.file!, values.url)));
    return;
  }
  const findings = Number(values.findings);
  const images = Number(values.images ?? Math.max(1, Math.round(findings / 500)));
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const backends = values.backend === 'all' ? [...(url ? ['postgres'] : []), 'pglite'] : [values.backend!];
  if (!url && values.backend === 'all') console.log('(no TEST_DATABASE_URL/DATABASE_URL: PostgreSQL skipped)');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-bench-'));
  const file = path.join(dir, 'trivy-synthetic.json');
  try {
    const generated = await writeSyntheticTrivy(file, findings, images);
    const mb = fs.statSync(file).size / 1024 / 1024;
    console.log(
      `synthetic Trivy report: ${generated.toLocaleString('en')} findings, ${images} images, ${mb.toFixed(0)} MB`,
    );
    console.log(`${'run'.padEnd(28)} ${'findings/s'.padStart(12)} ${'seconds'.padStart(10)} ${'peak MB'.padStart(10)}`);
    for (const backend of backends) {
      const ours = await runChild('ours', backend, file, url);
      console.log(row(`mobilize ingest (${backend})`, ours));
      const baseline = await runChild('baseline', backend, file, url);
      console.log(row(`baseline (${backend})`, baseline));
      if (!baseline.note) {
        const ratio = ours.findings / ours.seconds / (baseline.findings / baseline.seconds);
        console.log(`${'ours / baseline'.padEnd(28)} ${ratio.toFixed(2).padStart(12)}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
