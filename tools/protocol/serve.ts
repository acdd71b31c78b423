import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { StreamableHttpHandle } from "./http.ts";
import { serveStdio } from "./server.ts";

/** How `agent provider NAME` serves: stdio by default, or Streamable HTTP on a loopback port. */
export interface ServeOptions {
  http?: { port: number; host?: string };
}

/**
 * Serves a provider until its client goes (stdio) or the process is told to stop (HTTP, SIGINT or
 * SIGTERM); `onClose` runs either way. Over HTTP each session gets its own server over the same tools,
 * and the listening handle comes back (port 0 picks a free port; its url says which).
 */
export async function serveProvider(
  createServer: () => McpServer,
  options: ServeOptions = {},
  onClose?: () => Promise<void> | void,
): Promise<StreamableHttpHandle | undefined> {
  if (!options.http) {
    await serveStdio(createServer(), onClose);
    return undefined;
  }
  // Loaded only for --http: node:http, the SDK's HTTP transport and Hono cost every stdio provider
  // (and, through shared chunks, the orchestrator) tens of ms of start-up, undici included.
  const { serveStreamableHttp } = await import("./http.ts");
  const handle = await serveStreamableHttp(createServer, {
    port: options.http.port,
    host: options.http.host ?? "127.0.0.1",
  });
  process.stderr.write(`serving MCP over Streamable HTTP at ${handle.url}\n`);
  const stop = async () => {
    await handle.close();
    await onClose?.();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  return handle;
}
