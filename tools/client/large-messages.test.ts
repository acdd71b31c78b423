import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ProviderClients } from "./index.ts";

const AGENT = fileURLToPath(new URL("../../bin/agent.js", import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("stdio messages larger than the MCP SDK's 10 MB default", () => {
  it("reach the provider and come back: a plan of a very large deployment is one message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-large-"));
    dirs.push(dir);
    const clients = new ProviderClients(
      { kubernetes: { builtin: "mock" } },
      { cwd: dir, builtinCommand: { command: process.execPath, args: [AGENT] }, defaultTimeoutMs: 60_000 },
    );
    try {
      // 12 MB in: over the limit for the server's reader. The plan's answer holds it twice
      // (structured and as text), so it is over the limit for the client's reader too.
      const blob = "x".repeat(12 * 1024 * 1024);
      const resources = [
        {
          type: "kubernetes:core:configmap",
          name: "big",
          properties: { namespace: "default", data: { blob } },
        },
      ];
      const validation = await clients.call("kubernetes", "validateConfig", { resources });
      expect(validation.success).toBe(true);
      const plan = await clients.call("kubernetes", "planDeployment", {
        deploymentId: "d",
        resources,
        current: [],
      });
      expect(plan.success).toBe(true);
      const changes = (plan.data as { changes: { action: string; after?: { data?: { blob?: string } } }[] })
        .changes;
      expect(changes[0]?.action).toBe("create");
      expect(changes[0]?.after?.data?.blob).toHaveLength(blob.length);
    } finally {
      await clients.close();
    }
  }, 120_000);
});
