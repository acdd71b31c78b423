import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpnsenseEmulator } from "../../../test/opnsense/emulator.ts";
import { providerEnv, RUN, startEmulator } from "../../../test/opnsense/support.ts";
import { runConformance } from "../../conformance/index.ts";

describe("opnsense provider conformance over stdio against the 26.7 emulator", () => {
  let emulator: OpnsenseEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
    // What the examples refer to on a real firewall: the backend a frontend example names, and a Kea
    // subnet for the static-lease examples (ranges make their own).
    const backend = "4c1a3f0e-8b7d-4e2a-9c51-0d6e2f3a4b5c";
    emulator.config["haproxy_backend"]!.set(backend, {
      enabled: "1",
      name: "portal",
      mode: "http",
      algorithm: "source",
      linkedServers: "",
      description: "",
    });
    emulator.config["kea_subnet"]!.set("7d0f5d0e-1111-4222-8333-944455556666", {
      subnet: "10.0.150.0/24",
      pools: "",
      option_data_autocollect: "1",
      description: "lan",
    });
  });
  afterAll(() => emulator.stop());

  it("passes the iac.mcp/v1 suite for every type, leaving only what was there before", async () => {
    // Only the services it switched on (HAProxy, Kea) may stay changed.
    const items = () => JSON.stringify({ ...emulator.dump(), settings: {} });
    const before = items();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [RUN],
      env: { PATH: process.env.PATH ?? "", ...providerEnv(emulator) },
      stderr: "pipe",
    });
    const lines: string[] = [];
    const report = await runConformance(
      async () => {
        const client = new Client({ name: "conformance", version: "0.0.0" });
        await client.connect(transport);
        return client;
      },
      { log: (line) => lines.push(line) },
    );
    await transport.close();
    if (process.env.OPNSENSE_CONFORMANCE_LOG) console.log(lines.join("\n"));
    expect(report.failed, lines.filter((line) => !/^\s*(ok|✓|PASS)/i.test(line)).join("\n")).toBe(0);
    expect(report.passed).toBeGreaterThan(13 * 8);
    expect(items()).toBe(before);
    expect(emulator.settled()).toBe(true);
  }, 180_000);
});
