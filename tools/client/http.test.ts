import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type StreamableHttpHandle, serveStreamableHttp } from "../protocol/http.ts";
import {
  createResourceProvider,
  envelopeResult,
  type ListedResource,
  TOOL_NAMES,
} from "../protocol/index.ts";
import {
  ProviderClients,
  ProviderFailureError,
  ProviderUnavailableError,
  type ServerEntry,
  UnknownTypeError,
} from "./index.ts";
import { clientOptions } from "./test-helpers.ts";

const handles: StreamableHttpHandle[] = [];
const open: ProviderClients[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((clients) => clients.close()));
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
});

/** One store shared by every session, as a real platform would be. */
function pageProvider(store: Map<string, ListedResource>) {
  return createResourceProvider({
    name: "web",
    version: "1.0.0",
    types: [
      {
        type: "web:site:page",
        description: "a page",
        properties: { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
        outputs: { type: "object", properties: { url: { type: "string" } } },
        async create(properties, context) {
          const id = `page-${store.size + 1}`;
          const outputs = { url: `/pages/${id}` };
          store.set(id, {
            id,
            type: "web:site:page",
            name: context.name,
            deploymentId: context.deploymentId,
            properties,
            outputs,
          });
          return { id, outputs };
        },
        async read(id) {
          const found = store.get(id);
          return found ? { properties: found.properties, outputs: found.outputs } : null;
        },
        async delete(id) {
          store.delete(id);
        },
      },
    ],
    async list() {
      return [...store.values()];
    },
  });
}

async function serve(createServer: () => McpServer, port = 0): Promise<StreamableHttpHandle> {
  const handle = await serveStreamableHttp(createServer, { port });
  handles.push(handle);
  return handle;
}

function clients(servers: Record<string, ServerEntry>): ProviderClients {
  const created = new ProviderClients(servers, clientOptions());
  open.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<ProviderUnavailableError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderUnavailableError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ProviderUnavailableError");
}

describe("ProviderClients over streamable HTTP", () => {
  it("plans and applies through a provider served with serveStreamableHttp", async () => {
    const store = new Map<string, ListedResource>();
    const handle = await serve(() => pageProvider(store).server());
    const providers = clients({ web: { url: handle.url, headers: { Authorization: "Bearer t0k3n-value" } } });

    expect(await providers.serverFor("web:site:page")).toBe("web");
    expect((await providers.describe("web")).types.map((info) => info.type)).toEqual(["web:site:page"]);
    const plan = await providers.call("web", "planDeployment", {
      deploymentId: "d1",
      resources: [{ type: "web:site:page", name: "home", properties: { title: "Home" } }],
    });
    expect(plan.data?.changes.map((change) => change.action)).toEqual(["create"]);
    const applied = await providers.call("web", "applyDeployment", {
      deploymentId: "d1",
      changes: plan.data!.changes,
    });
    expect(applied.data?.results).toEqual([
      { name: "home", status: "succeeded", id: "page-1", outputs: { url: "/pages/page-1" } },
    ]);
    expect(store.get("page-1")?.name).toBe("home");

    const invalid = await providers.call("web", "validateConfig", {
      resources: [{ type: "web:site:page", name: "bad", properties: {} }],
    });
    expect(invalid.data?.valid).toBe(false);

    expect(providers.listServers()).toEqual([
      {
        name: "web",
        kind: "http",
        transport: "streamable-http",
        target: handle.url,
        started: true,
        timeoutMs: 30_000,
        parallelism: undefined,
      },
    ]);
  });

  it("reports an unreachable URL as start-failed, and a server gone mid-session as crashed, then reconnects", async () => {
    const store = new Map<string, ListedResource>();
    const handle = await serve(() => pageProvider(store).server());
    const port = Number(new URL(handle.url).port);
    const providers = clients({ web: { url: handle.url } });
    expect((await providers.call("web", "listResources", {})).success).toBe(true);

    await handle.close();
    const lost = await failure(providers.call("web", "listResources", {}));
    expect(lost.reason).toBe("crashed");
    expect(lost.message).toContain('provider server "web"');

    const refused = await failure(providers.call("web", "listResources", {}));
    expect(refused.reason).toBe("start-failed");
    expect(refused.message).toContain(`could not start provider server "web": cannot reach ${handle.url}`);

    const again = await serve(() => pageProvider(store).server(), port);
    expect(again.url).toBe(handle.url);
    expect((await providers.call("web", "listResources", {})).success).toBe(true);
  });

  it("sends the configured headers and keeps them out of error messages", async () => {
    let seen: string | undefined;
    const gate = createServer((req, res) => {
      seen = req.headers.authorization;
      res.writeHead(401).end("missing credentials");
    });
    await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
    try {
      const port = (gate.address() as { port: number }).port;
      const providers = clients({
        locked: {
          url: `http://127.0.0.1:${port}/mcp?key=query-secret`,
          headers: { Authorization: "Bearer h3ader-secret" },
        },
      });
      const error = await failure(providers.describe("locked"));
      expect(seen).toBe("Bearer h3ader-secret");
      expect(error.reason).toBe("start-failed");
      expect(error.message).toContain(`the MCP handshake with http://127.0.0.1:${port}/mcp failed`);
      expect(error.message).not.toContain("h3ader-secret");
      expect(error.message).not.toContain("query-secret");
    } finally {
      gate.close();
    }
  });

  it("lists a server without the iac.mcp/v1 tools as tool-only, and does not route to it", async () => {
    const handle = await serve(() => {
      const server = new McpServer({ name: "notes", version: "1.0.0" });
      server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => ({
        content: [{ type: "text", text }],
      }));
      return server;
    });
    const providers = clients({ notes: { url: handle.url } });
    expect(await providers.health("notes")).toEqual({ ok: true, toolOnly: true, tools: ["echo"] });
    const error = await providers.serverFor("x:y:z").catch((caught: unknown) => caught);
    expect(UnknownTypeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('notes: provider server "notes" broke iac.mcp/v1');
  });

  it("treats an answer that is not an iac.mcp/v1 envelope as a protocol error", async () => {
    const brokenHandle = await serve(() => {
      const server = new McpServer({ name: "broken", version: "1.0.0" });
      for (const tool of TOOL_NAMES) {
        server.registerTool(tool, { inputSchema: {} }, () =>
          envelopeResult({
            success: false,
            error: { code: "UNAVAILABLE", message: "backend down", retryable: true },
            metadata: { timestamp: new Date().toISOString(), duration: 0, server: "broken", version: "1" },
          }),
        );
      }
      return server;
    });
    const handle = await serve(() => {
      const server = new McpServer({ name: "odd", version: "1.0.0" });
      server.registerTool("describeResourceTypes", { inputSchema: {} }, () => ({
        content: [{ type: "text", text: "hello" }],
      }));
      server.registerTool("listResources", { inputSchema: {} }, () =>
        envelopeResult({
          success: true,
          data: { items: [] },
          metadata: { timestamp: new Date().toISOString(), duration: 0, server: "odd", version: "1" },
        }),
      );
      return server;
    });
    const providers = clients({ odd: { url: handle.url }, broken: { url: brokenHandle.url } });
    const garbage = await failure(providers.call("odd", "describeResourceTypes", {}));
    expect(garbage.reason).toBe("protocol");
    expect(garbage.message).toContain("not an iac.mcp/v1 envelope");
    expect(garbage.message).toContain("hello");
    const wrongData = await failure(providers.call("odd", "listResources", {}));
    expect(wrongData.reason).toBe("protocol");
    expect(wrongData.message).toContain("its listResources data does not follow iac.mcp/v1 (resources:");
    const missingTool = await failure(providers.call("odd", "getResource", { type: "odd:a:b", id: "1" }));
    expect(missingTool.reason).toBe("protocol");
    expect(missingTool.message).toContain("getResource not found");

    // A well-formed failure is data for call(), and a ProviderFailureError for describe().
    const failed = await providers.call("broken", "listResources", {});
    expect(failed.error).toEqual({ code: "UNAVAILABLE", message: "backend down", retryable: true });
    const described = await providers.describe("broken").catch((caught: unknown) => caught);
    expect(ProviderFailureError.isInstance(described)).toBe(true);
    expect((described as Error).message).toBe(
      "broken failed describeResourceTypes: UNAVAILABLE: backend down",
    );
    const health = await providers.health("broken");
    expect(health.ok).toBe(false);
    expect(health.tools).toHaveLength(10);
  });

  it("times out an HTTP call that never answers", async () => {
    const handle = await serve(() => {
      const server = new McpServer({ name: "slow", version: "1.0.0" });
      server.registerTool("listResources", { inputSchema: {} }, () => new Promise<never>(() => {}));
      return server;
    });
    const providers = clients({ slow: { url: handle.url } });
    const error = await failure(providers.call("slow", "listResources", {}, { timeoutMs: 200 }));
    expect(error.reason).toBe("timeout");
    expect(error.server).toBe("slow");
  });
});
