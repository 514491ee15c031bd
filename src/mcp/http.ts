import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Queryable } from '../db/database.ts';
import { findApiToken } from '../db/repositories/api-tokens.ts';
import type { ApiToken } from '../domain/auth.ts';

/** Who presented the bearer token: sessions are bound to `id`, tools are offered by `role`. */
export type McpCaller = ApiToken;

export type McpHttpOptions = {
  /** Resolves the Authorization header to a caller, or null: checked on every request. */
  authenticate(authorization: string | undefined): Promise<McpCaller | null>;
  /** A fresh server for a new session of this caller (its tools depend on the caller's role). */
  serverFor(caller: McpCaller): McpServer;
  /** Browser origins allowed to call; a request without Origin (a non-browser client) is allowed. */
  allowedOrigins: readonly string[];
  /** Largest JSON-RPC request body accepted. */
  maxBodyBytes: number;
  /** Open sessions at most; more are refused with 503 until some close. */
  maxSessions?: number;
};

/** The Node request handler for `/mcp`, with a way to close every open session (on shutdown). */
export type McpHttpHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & {
  close(): Promise<void>;
  sessionCount(): number;
};

type Session = { transport: StreamableHTTPServerTransport; server: McpServer; callerId: string };

/** The bearer-token check over the api_tokens table (the same tokens and roles as the HTTP API). */
export function authenticateBearer(db: Queryable): McpHttpOptions['authenticate'] {
  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    return match ? findApiToken(db, match[1]!) : null;
  };
}

class BodyTooLargeError extends Error {}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Streamable HTTP for MCP at `/mcp` (POST, GET, DELETE). Every request needs a valid bearer token
 * (401), a browser Origin must be allowed (403, against DNS rebinding), bodies are capped (413).
 * A session id is a random UUID and belongs to the token that created it: another token using it
 * gets 404, as if the session did not exist, so ids cannot be probed.
 */
export function mcpHttpHandler(options: McpHttpOptions): McpHttpHandler {
  const sessions = new Map<string, Session>();
  const maxSessions = options.maxSessions ?? 100;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
      return sendJsonRpcError(res, 403, -32000, `origin ${origin} is not allowed`);
    }
    const caller = await options.authenticate(req.headers.authorization);
    if (!caller) {
      return sendJsonRpcError(res, 401, -32001, 'a valid API token is required (Authorization: Bearer <token>)', {
        'www-authenticate': 'Bearer',
      });
    }
    if (req.method !== 'POST' && req.method !== 'GET' && req.method !== 'DELETE') {
      return sendJsonRpcError(res, 405, -32000, 'method not allowed', { allow: 'GET, POST, DELETE' });
    }
    let body: unknown;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, options.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close');
          return sendJsonRpcError(res, 413, -32000, `request body over ${options.maxBodyBytes} bytes`);
        }
        throw error;
      }
      try {
        body = JSON.parse(text);
      } catch {
        return sendJsonRpcError(res, 400, -32700, 'parse error: the body is not JSON');
      }
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session || session.callerId !== caller.id) {
        return sendJsonRpcError(res, 404, -32001, 'session not found');
      }
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return sendJsonRpcError(res, 400, -32000, 'no session: send an initialize request first');
    }
    if (sessions.size >= maxSessions) {
      return sendJsonRpcError(res, 503, -32000, 'too many open MCP sessions; try again later');
    }
    const server = options.serverFor(caller);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, callerId: caller.id });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  return Object.assign(handle, {
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((s) => s.server.close()));
    },
    sessionCount: () => sessions.size,
  });
}
