import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { createResourceProvider } from "./index.ts";
import { serveProvider } from "./serve.ts";

describe("serveProvider", () => {
  it("serves a provider's server over Streamable HTTP on loopback when asked for a port", async () => {
    const provider = createResourceProvider({
      name: "web",
      version: "1.0.0",
      types: [
        {
          type: "web:site:page",
          description: "a page",
          properties: { type: "object" },
          outputs: { type: "object" },
          create: async () => ({ id: "p1", outputs: {} }),
          read: async () => null,
          delete: async () => {},
        },
      ],
      list: async () => [],
    });
    const handle = await serveProvider(() => provider.server(), { http: { port: 0 } });
    expect(handle?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: "serve-test", version: "0.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(handle!.url)));
    const result = await client.callTool({ name: "describeResourceTypes", arguments: {} });
    const envelope = result.structuredContent as { success: boolean; data: { types: { type: string }[] } };
    expect(envelope.success).toBe(true);
    expect(envelope.data.types.map((entry) => entry.type)).toEqual(["web:site:page"]);
    await client.close();
    await handle!.close();
  });
});
