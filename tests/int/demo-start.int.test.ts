import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mobilize.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-start-'));
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** What `npm start` does on a fresh machine: serve on an empty embedded database, which loads the demo. */
describe('npm start on an empty database', () => {
  it('loads the demo estate, runs the orchestrator, and serves the outcome', async () => {
    const env = { ...process.env, DATABASE_URL: '', MOBILIZE_HOME: home, PORT: '0', LOG_LEVEL: 'silent' };
    const child = spawn(process.execPath, [BIN, 'serve', '--json'], { env });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let buffer = '';
        child.stdout.on('data', (chunk) => {
          buffer += chunk;
          if (buffer.trim().endsWith('}')) {
            try {
              JSON.parse(buffer);
              resolve(buffer);
            } catch {
              // not complete yet
            }
          }
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${buffer}`)));
      });
      const { urls, bootstrapToken, demo } = JSON.parse(out);
      // The run: routine fixes made and verified, non-routine ones waiting, nothing failed.
      expect(demo.run).toMatchObject({ failed: 0, escalated: 0 });
      expect(demo.run.threads).toBeGreaterThanOrEqual(20);
      expect(demo.run.verified).toBeGreaterThanOrEqual(5);
      expect(demo.run.covered).toBeGreaterThanOrEqual(1);
      expect(demo.pendingApprovals).toBeGreaterThanOrEqual(3);
      expect(demo.run.summarized).toBe(13);

      const get = async (url: string) =>
        (await fetch(`${urls.api}${url}`, { headers: { authorization: `Bearer ${bootstrapToken}` } })).json();
      // Non-routine: the crown-jewel payments service and the IAM narrowing wait for a human.
      const pending = (await get('/v1/approvals?status=pending')).plans as {
        title: string;
        kind: string;
        policyDecision: { reasons: string[] };
      }[];
      expect(pending.some((p) => p.policyDecision.reasons.some((r) => r.includes('crown-jewel')))).toBe(true);
      expect(pending.some((p) => p.kind === 'terraform' && /iam/i.test(p.title))).toBe(true);
      // KEV on an internet-facing production asset is Act.
      const act = (await get('/v1/exposures?decision=Act&kev=true&internetFacing=true&environment=production')).items;
      expect(act.length).toBeGreaterThanOrEqual(1);
      expect(act.map((e: { vulnerabilityId: string }) => e.vulnerabilityId)).toContain('CVE-2021-44228');

      // Routine fixes are real commits with the right diffs.
      const repos = path.join(home, 'demo', 'repos');
      const branchOf = (repo: string, needle: RegExp) => {
        const branches = git(path.join(repos, repo), 'branch', '--list', 'mobilize/*', '--format=%(refname:short)')
          .split('\n')
          .filter(Boolean);
        return branches.find((b) => needle.test(git(path.join(repos, repo), 'log', '-1', '--format=%B', b)));
      };
      const django = branchOf('recommendations', /Django/);
      expect(git(path.join(repos, 'recommendations'), 'show', `${django}:requirements.txt`)).toMatch(
        /^Django==3\.2\.10$/m,
      );
      const bastion = branchOf('platform-infra', /bastion/);
      const tf = git(path.join(repos, 'platform-infra'), 'show', `${bastion}:main.tf`);
      expect(git(path.join(repos, 'platform-infra'), 'diff', `main..${bastion}`)).toMatch(/-.*0\.0\.0\.0\/0/);
      expect(tf).toContain('10.0.0.0/8');
      const base = branchOf('storefront-web', /node:18\.20\.4-alpine3\.20/);
      expect(git(path.join(repos, 'storefront-web'), 'show', `${base}:Dockerfile`)).toMatch(
        /^FROM node:18\.20\.4-alpine3\.20/m,
      );
      // The working copies stay on main, untouched.
      expect(git(path.join(repos, 'recommendations'), 'status', '--porcelain')).toBe('');
    } finally {
      child.kill('SIGTERM');
    }
  }, 300_000); // several processes each boot a database: slow on a loaded 2-core machine
});
