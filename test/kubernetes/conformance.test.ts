import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../../tools/conformance/index.ts";
import { KubeEmulator, startEmulator } from "./emulator/server.ts";

const RUN = fileURLToPath(new URL("../../tools/providers/kubernetes/run.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mcp-iac-kube-conf-"));
let emulator: KubeEmulator;
let kubeconfig: string;

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 100, deleteDelayMs: 20 });
  kubeconfig = KubeEmulator.writeKubeconfig(join(dir, "kubeconfig"), [{ name: "emu", emulator }]);
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("kubernetes provider conformance over stdio", () => {
  it("passes the iac.mcp/v1 conformance suite on the four short types against the emulator", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [RUN],
      env: { PATH: process.env.PATH ?? "", KUBECONFIG: kubeconfig, KUBE_WAIT_TIMEOUT_SECONDS: "20" },
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
    expect(report.failed, lines.join("\n")).toBe(0);
    expect(lines.filter((line) => line.includes("kubernetes:apps:deployment")).length).toBeGreaterThan(5);
    expect(report.passed).toBeGreaterThan(30);
  });
});
