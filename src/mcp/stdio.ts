import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/**
 * Serves one MCP server over this process's stdin/stdout until the client closes the stream.
 * stdout belongs to the protocol: nothing else may write to it while this runs (log to stderr).
 */
export async function runStdioServer(server: McpServer): Promise<void> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  await closed;
}
