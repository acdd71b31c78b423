import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDockerEngine } from "../../../test/docker/engine.ts";
import { runConformance } from "../../conformance/index.ts";

const engine = await ensureDockerEngine();
if ("skipped" in engine) console.warn(`docker conformance skipped: ${engine.skipped}`);

// The lifecycle runs from each type's schema examples. This quick in-package run keeps to the volume;
// tools/conformance/providers.test.ts runs all four types through the CLI's kit (it builds the
// busybox:latest stand-in the container examples need, since tests never pull).
describe.skipIf("skipped" in engine)("docker provider conformance over stdio", () => {
  const stateDir = mkdtemp(join(tmpdir(), "mcp-iac-docker-conf-"));

  afterAll(async () => {
    await rm(await stateDir, { recursive: true, force: true });
    if (!("skipped" in engine)) await engine.stop();
  });

  it("passes the iac.mcp/v1 conformance suite for docker:volume:create", async () => {
    if ("skipped" in engine) return;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [fileURLToPath(new URL("./run.ts", import.meta.url))],
      env: {
        PATH: process.env.PATH ?? "",
        DOCKER_HOST: engine.host,
        DOCKER_PROVIDER_STATE_DIR: await stateDir,
        DOCKER_PROVIDER_PULL: "never",
      },
      stderr: "pipe",
    });
    const lines: string[] = [];
    const report = await runConformance(
      async () => {
        const client = new Client({ name: "conformance", version: "0.0.0" });
        await client.connect(transport);
        return client;
      },
      { types: ["docker:volume:create"], log: (line) => lines.push(line) },
    );
    await transport.close();
    expect(report.failed, lines.join("\n")).toBe(0);
    expect(report.passed).toBeGreaterThan(5);
  });
});
