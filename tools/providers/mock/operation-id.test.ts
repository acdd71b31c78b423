import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { describe, expect, it } from "vitest";
import { runConformance } from "../../conformance/index.ts";
import { createMockProvider } from "./provider.ts";
import { tempWorldFile } from "./test-support.ts";

describe("the mock provider and operationId", () => {
  it("makes one resource from a create sent twice at once, even while the first is still being made", async () => {
    const provider = createMockProvider({
      mountName: "aws",
      env: { MOCK_LATENCY_MS: "30" },
      worldFile: tempWorldFile("aws"),
    });
    const report = await runConformance(
      async () => {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await provider.server().connect(serverSide);
        const client = new Client({ name: "operation-id-test", version: "0.0.0" });
        await client.connect(clientSide);
        return client;
      },
      { types: ["aws:vpc:vpc"] },
    );
    const check = report.results.find((result) => result.name.includes("sent twice"));
    expect(check, JSON.stringify(report.results.filter((result) => !result.ok))).toMatchObject({ ok: true });
    expect(report.failed).toBe(0);
    expect(provider.world.list()).toEqual([]);
    provider.close();
  });
});
