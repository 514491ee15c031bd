import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve('bin/mobilize.js');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mobilize-mcp-'));
const env = { ...process.env, DATABASE_URL: '', MOBILIZE_HOME: home, LOG_LEVEL: 'silent' } as Record<string, string>;

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

/** The MCP server as clients meet it: `mobilize mcp` over stdio and `/mcp` on `mobilize serve`. */
describe('MCP transports of the real CLI', () => {
  it('serves the read tools over stdio', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['search_exposures', 'get_exposure', 'semantic_search']));
      expect(names).not.toContain('decide_approval');
      const result = await client.callTool({ name: 'search_exposures', arguments: { limit: 5 } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ total: 0, rows: [] });
    } finally {
      await client.close();
    }
  }, 120_000);

  it('serves /mcp on mobilize serve behind the API tokens', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--no-demo', '--json'], { env: { ...env, PORT: '0' } });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let buffer = '';
        child.stdout.on('data', (chunk) => {
          buffer += chunk;
          if (buffer.trim().endsWith('}')) resolve(buffer);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${buffer}`)));
      });
      const { urls, bootstrapToken } = JSON.parse(out);
      expect(urls.mcp).toMatch(/\/mcp$/);
      const denied = await fetch(urls.mcp, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
      });
      expect(denied.status).toBe(401);
      const transport = new StreamableHTTPClientTransport(new URL(urls.mcp), {
        requestInit: { headers: { authorization: `Bearer ${bootstrapToken}` } },
      });
      const client = new Client({ name: 'http-test', version: '1.0.0' });
      await client.connect(transport);
      try {
        const { tools } = await client.listTools();
        // The bootstrap token is an admin: it may decide approvals (separation of duties still applies).
        expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['get_asset', 'decide_approval']));
      } finally {
        await client.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});
