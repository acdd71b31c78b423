import { request } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { type StreamableHttpHandle, serveStreamableHttp } from "./http.ts";
import { createResourceProvider } from "./index.ts";

const handles: StreamableHttpHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
});

function provider() {
  return createResourceProvider({
    name: "web",
    version: "1.0.0",
    types: [
      {
        type: "web:site:page",
        description: "a page",
        properties: { type: "object" },
        outputs: { type: "object" },
        async create() {
          return { id: "p1", outputs: {} };
        },
        async read() {
          return null;
        },
        async delete() {},
      },
    ],
    async list() {
      return [];
    },
  });
}

async function serve(): Promise<{ handle: StreamableHttpHandle; sessions: () => number }> {
  let created = 0;
  const handle = await serveStreamableHttp(() => {
    created++;
    return provider().server();
  });
  handles.push(handle);
  return { handle, sessions: () => created };
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "test", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** A raw request, so that Host can be set freely. */
function raw(url: string, init: { method: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});
const jsonHeaders = { "content-type": "application/json", accept: "application/json, text/event-stream" };

describe("serveStreamableHttp", () => {
  it("serves one McpServer per session on 127.0.0.1", async () => {
    const { handle, sessions } = await serve();
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const first = await connect(handle.url);
    const second = await connect(handle.url);
    expect(sessions()).toBe(2);
    const result = await first.callTool({ name: "describeResourceTypes", arguments: {} });
    expect((result.structuredContent as { data: { types: { type: string }[] } }).data.types[0]?.type).toBe(
      "web:site:page",
    );
    expect((await second.listTools()).tools).toHaveLength(10);
    await first.close();
    await second.close();
  });

  it("binds to loopback only", async () => {
    await expect(serveStreamableHttp(() => provider().server(), { host: "0.0.0.0" })).rejects.toThrow(
      "binds to loopback only",
    );
    const v6 = await serveStreamableHttp(() => provider().server(), { host: "::1" }).catch(() => undefined);
    if (v6) {
      // Only where this machine has IPv6 loopback.
      handles.push(v6);
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+\/mcp$/);
    }
  });

  it("refuses foreign hosts and origins, unknown sessions and other paths", async () => {
    const { handle } = await serve();
    const foreignHost = await raw(handle.url, {
      method: "POST",
      headers: { ...jsonHeaders, host: "evil.example:80" },
      body: initialize,
    });
    expect(foreignHost.status).toBe(403);
    const foreignOrigin = await raw(handle.url, {
      method: "POST",
      headers: { ...jsonHeaders, origin: "https://evil.example" },
      body: initialize,
    });
    expect(foreignOrigin.status).toBe(403);
    const unknownSession = await raw(handle.url, {
      method: "POST",
      headers: { ...jsonHeaders, "mcp-session-id": "no-such-session" },
      body: initialize,
    });
    expect(unknownSession.status).toBe(404);
    expect(JSON.parse(unknownSession.body).error.message).toContain("session not found");
    expect((await raw(handle.url, { method: "GET", headers: jsonHeaders })).status).toBe(400);
    expect((await raw(handle.url.replace("/mcp", "/other"), { method: "GET" })).status).toBe(404);
    const notJson = await raw(handle.url, { method: "POST", headers: jsonHeaders, body: "{nope" });
    expect(notJson.status).toBe(400);
    const accepted = await raw(handle.url, { method: "POST", headers: jsonHeaders, body: initialize });
    expect(accepted.status).toBe(200);
  });

  it("close() ends open sessions and frees the port", async () => {
    const { handle } = await serve();
    const client = await connect(handle.url);
    await handle.close();
    await handle.close();
    await expect(client.listTools()).rejects.toThrow();
    await expect(raw(handle.url, { method: "GET" })).rejects.toThrow();
    await client.close();
  });
});
