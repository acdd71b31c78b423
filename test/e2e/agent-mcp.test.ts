import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it } from "vitest";
import { AGENT, tempProject, worldResources } from "./harness.ts";

async function connect(dir: string, flags: string[] = []) {
  const client = new Client({ name: "mcp-iac-test", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [AGENT, "mcp", ...flags],
      cwd: dir,
      stderr: "pipe",
    }),
  );
  return client;
}

type Answer = { result: Record<string, unknown>; events: { type: string }[] };

describe("agent mcp: the agent itself as an MCP server", () => {
  it("is read-only unless --allow-apply: plan, policy check and state, but no apply or destroy", async () => {
    const dir = tempProject();
    const client = await connect(dir);
    try {
      const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
      expect(tools).toEqual([
        "describe_resource_type",
        "list_resource_types",
        "plan",
        "policy_check",
        "state_list",
        "state_show",
      ]);
      const spec = readFileSync(join(dir, "customer-portal.yaml"), "utf8");
      const planned = await client.callTool({ name: "plan", arguments: { spec } });
      expect(planned.isError).toBeFalsy();
      const { plan } = (planned.structuredContent as Answer).result as {
        plan: { summary: { create: number } };
      };
      expect(plan.summary.create).toBe(10);
      const bad = await client.callTool({
        name: "plan",
        arguments: { spec: "name: x\nresources: [ { type: nope, name: a } ]" },
      });
      expect(bad.isError).toBe(true);
      expect(JSON.stringify(bad.content)).toMatch(/resources\[0\]\.type/);
      expect(await worldResources(dir, "customer-portal")).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("applies and destroys with --allow-apply, mandatory policies still holding", async () => {
    const dir = tempProject();
    // --allow-destroy: the database goes too (without it the stateful rule blocks the destroy).
    const client = await connect(dir, ["--allow-apply", "--allow-destroy"]);
    try {
      const spec = readFileSync(join(dir, "customer-portal.yaml"), "utf8");
      const applied = await client.callTool({ name: "apply", arguments: { spec } });
      expect(applied.isError, JSON.stringify(applied.content)).toBeFalsy();
      const output = (applied.structuredContent as Answer).result as { report: { outcome: string } };
      expect(output.report.outcome).toBe("succeeded");
      expect(await worldResources(dir, "customer-portal")).toHaveLength(10);

      const blocked = await client.callTool({
        name: "apply",
        arguments: { spec: spec.replace("publiclyAccessible: false", "publiclyAccessible: true") },
      });
      expect(blocked.isError).toBe(true);
      expect(((blocked.structuredContent as Answer).result as { blocked?: unknown }).blocked).toBeTruthy();

      const destroyed = await client.callTool({ name: "destroy", arguments: { name: "customer-portal" } });
      expect(destroyed.isError, JSON.stringify(destroyed.content)).toBeFalsy();
      expect(await worldResources(dir, "customer-portal")).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
