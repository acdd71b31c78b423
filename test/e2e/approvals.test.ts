import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ProviderClients } from "../../tools/client/index.ts";
import { AGENT, agent, json, tempProject, worldResources } from "./harness.ts";

type Shown = { state: { resources: Record<string, { id: string; properties: Record<string, unknown> }> } };

describe("approval and policy on every path", () => {
  it("plan exits 3 when a mandatory policy would block the apply", async () => {
    const dir = tempProject();
    const spec = parse(readFileSync(join(dir, "customer-portal.yaml"), "utf8"));
    spec.spec.resources.find((r: { name: string }) => r.name === "app-db").properties.publiclyAccessible =
      true;
    writeFileSync(join(dir, "public.yaml"), stringify(spec));
    const plan = await agent(["plan", "-f", "public.yaml"], dir);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(3);
    expect(plan.stdout).toMatch(/would be blocked by 1 mandatory policy finding/);
  });

  it("a goal with --dry-run writes nothing to state", async () => {
    const dir = tempProject();
    const run = await agent(["deploy a web app with a load balancer", "--dry-run"], dir);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Dry run: nothing was applied/);
    const list = json<{ deployments: unknown[] }>(await agent(["state", "list", "--json"], dir));
    expect(list.deployments).toEqual([]);
  });

  it("plan reads what exists by default, and --refresh=false trusts state", async () => {
    const dir = tempProject();
    expect((await agent(["apply", "-f", "customer-portal.yaml", "--yes"], dir)).exitCode).toBe(0);
    const rule = json<Shown>(await agent(["state", "show", "customer-portal", "--json"], dir)).state
      .resources["allow-https"]!;
    // Deleted behind mcp-iac's back, as at a console.
    const clients = new ProviderClients(
      { opnsense: { builtin: "mock" } },
      { cwd: dir, builtinCommand: { command: process.execPath, args: [AGENT] } },
    );
    try {
      const deleted = await clients.call("opnsense", "destroyDeployment", {
        deploymentId: "customer-portal",
        resources: [{ ...rule, type: "opnsense:firewall:rule", name: "allow-https", outputs: {} }],
      });
      expect(deleted.success).toBe(true);
    } finally {
      await clients.close();
    }
    const refreshed = await agent(["plan", "-f", "customer-portal.yaml"], dir);
    expect(refreshed.stdout).toContain("Plan: 1 to add, 0 to change, 0 to replace, 0 to destroy.");
    const trusted = await agent(["plan", "-f", "customer-portal.yaml", "--refresh=false"], dir);
    expect(trusted.exitCode, trusted.stderr).toBe(0);
    expect(trusted.stdout).not.toContain("1 to add");
  });

  it("destroy shows what it deletes, honours the stateful rule (3) and asks (4)", async () => {
    const dir = tempProject();
    expect((await agent(["apply", "-f", "customer-portal.yaml", "--yes"], dir)).exitCode).toBe(0);
    const count = (await worldResources(dir, "customer-portal")).length;

    const blocked = await agent(["destroy", "customer-portal", "--yes"], dir);
    expect(blocked.exitCode, blocked.stdout + blocked.stderr).toBe(3);
    expect(blocked.stdout).toMatch(
      new RegExp(`Plan: 0 to add, 0 to change, 0 to replace, ${count} to destroy`),
    );
    expect(blocked.stdout).toMatch(/# app-db \(aws:rds:instance\) will be destroyed/);
    expect(blocked.stdout).toMatch(/--allow-destroy/);
    expect(await worldResources(dir, "customer-portal")).toHaveLength(count);

    const unasked = await agent(["destroy", "customer-portal", "--allow-destroy"], dir);
    expect(unasked.exitCode, unasked.stdout + unasked.stderr).toBe(4);
    expect(await worldResources(dir, "customer-portal")).toHaveLength(count);

    const done = await agent(["destroy", "customer-portal", "--allow-destroy", "--yes"], dir);
    expect(done.exitCode, done.stdout + done.stderr).toBe(0);
    expect(await worldResources(dir, "customer-portal")).toEqual([]);
  });
});
