import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";

export interface StreamableHttpOptions {
  /** A loopback address; anything else is refused. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface StreamableHttpHandle {
  /** e.g. http://127.0.0.1:40123/mcp */
  url: string;
  close(): Promise<void>;
}

export const MCP_PATH = "/mcp";
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
}

/**
 * Serves MCP over streamable HTTP on loopback at `/mcp`, one McpServer per session (keyed by the
 * `mcp-session-id` header). Requests whose Host or Origin is not loopback are refused, which keeps
 * a web page from reaching the server through DNS rebinding.
 */
export async function serveStreamableHttp(
  createServer: () => McpServer,
  options: StreamableHttpOptions = {},
): Promise<StreamableHttpHandle> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(host)) {
    throw new Error(`serveStreamableHttp binds to loopback only (127.0.0.1, ::1, localhost); got ${host}`);
  }
  const sessions = new Map<string, Session>();

  const http = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, -32603, `internal error: ${(error as Error).message}`);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== MCP_PATH) return reply(res, 404, -32601, `not found; the MCP endpoint is ${MCP_PATH}`);
    if (!fromLoopback(req)) return reply(res, 403, -32600, "only loopback hosts and origins are accepted");

    const sessionId = header(req, "mcp-session-id");
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return reply(res, 404, -32001, "session not found; start a new one with initialize");
      const body = req.method === "POST" ? await readJson(req, res) : undefined;
      if (body === INVALID) return;
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST") return reply(res, 400, -32000, "mcp-session-id header required");
    const body = await readJson(req, res);
    if (body === INVALID) return;
    if (!isInitializeRequest(body))
      return reply(res, 400, -32000, "no session: the first request must be initialize");

    const server = createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      server.close().catch(() => undefined);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}${MCP_PATH}`,
    close() {
      closing ??= (async () => {
        const open = [...sessions.values()];
        sessions.clear();
        await Promise.all(open.map((session) => session.transport.close().catch(() => undefined)));
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

const INVALID = Symbol("invalid body");

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      reply(res, 413, -32600, `request body over ${MAX_BODY_BYTES} bytes`);
      return INVALID;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    reply(res, 400, -32700, "parse error: the body is not JSON");
    return INVALID;
  }
}

function fromLoopback(req: IncomingMessage): boolean {
  const hostHeader = header(req, "host");
  if (hostHeader && !isLoopbackHost(hostnameOf(hostHeader))) return false;
  const origin = header(req, "origin");
  if (origin) {
    try {
      if (!isLoopbackHost(new URL(origin).hostname)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  return hostHeader.split(":")[0] ?? hostHeader;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
