import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = path.resolve('bin/mobilize.js');
const INSPECTOR = path.resolve('node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-inspector-'));
const env = { ...process.env, DATABASE_URL: '', MOBILIZE_HOME: home, LOG_LEVEL: 'silent' };

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** A third-party client drives the server: the MCP Inspector in CLI mode over `mobilize mcp` (stdio). */
async function inspector(...args: string[]) {
  // The server boots an embedded database first: on a loaded 2-core machine that can take longer
  // than the inspector's default 15 s connect timeout.
  const command = [INSPECTOR, '--cli', '--connect-timeout', '120000', process.execPath, BIN, 'mcp', ...args];
  const { stdout } = await run(process.execPath, command, {
    env,
    timeout: 120_000,
  });
  return JSON.parse(stdout);
}

describe('the MCP Inspector (CLI mode) against mobilize mcp', () => {
  it('lists the tools and calls one', async () => {
    const listed = await inspector('--method', 'tools/list');
    const names = listed.tools.map((t: { name: string }) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['search_exposures', 'get_exposure', 'get_advisory', 'explain_risk', 'ask']),
    );
    const called = await inspector(
      '--method',
      'tools/call',
      '--tool-name',
      'search_exposures',
      '--tool-arg',
      'limit=5',
    );
    expect(called.structuredContent).toEqual({ total: 0, rows: [] });
    expect(called.content[0].text).toBe('0 of 0 exposures');
  }, 240_000);
});
