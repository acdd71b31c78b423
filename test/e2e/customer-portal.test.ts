import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { agent, json, tempProject, worldResources, writeConfig } from "./harness.ts";

type StateDoc = {
  state: {
    resources: Record<
      string,
      { id: string; type: string; properties: Record<string, unknown>; outputs: Record<string, unknown> }
    >;
  };
};

describe("the seed's customer-portal deployment through real stdio mock providers", () => {
  it("plans, applies with cross-provider references resolved, re-plans as no change, and destroys", async () => {
    const dir = tempProject();

    const plan = await agent(["plan", "-f", "customer-portal.yaml"], dir);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/sandbox/i);
    expect(plan.stdout).toContain("Plan: 10 to add, 0 to change, 0 to replace, 0 to destroy.");
    expect(plan.stdout).toContain("(known after apply)");
    expect(plan.stdout).toMatch(/\+ opnsense:network:vlan "app-network"/);

    const apply = await agent(["apply", "-f", "customer-portal.yaml", "--yes", "--json"], dir);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const report = json<{ report: { outcome: string; results: { status: string }[] } }>(apply).report;
    expect(report.outcome).toBe("succeeded");
    expect(report.results.filter((result) => result.status === "succeeded")).toHaveLength(10);

    const shown = json<StateDoc>(await agent(["state", "show", "customer-portal", "--json"], dir)).state
      .resources;
    const out = (name: string) => shown[name]!.outputs;
    expect(shown["app-backend"]!.properties["servers"]).toEqual([out("app-1")["ip"], out("app-2")["ip"]]);
    expect(typeof out("app-1")["ip"]).toBe("string");
    expect(shown["haproxy"]!.properties["backend"]).toBe(out("app-backend")["id"]);
    expect(shown["allow-https"]!.properties["destination"]).toBe(out("haproxy")["ip"]);
    expect(shown["app-1"]!.properties["subnet"]).toBe(out("subnet")["id"]);
    expect(shown["subnet"]!.properties["vpc"]).toBe(out("vpc")["id"]);

    const world = await worldResources(dir, "customer-portal");
    expect(world.map((entry) => entry.name).sort()).toEqual(Object.keys(shown).sort());
    for (const entry of world) expect(shown[entry.name!]!.id).toBe(entry.id);

    const again = await agent(["plan", "-f", "customer-portal.yaml"], dir);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("No changes.");

    // The portal holds a database: the baseline's stateful rule needs the explicit approval (issue 11).
    const refused = await agent(["destroy", "customer-portal", "--yes"], dir);
    expect(refused.exitCode, refused.stderr + refused.stdout).toBe(3);
    const destroy = await agent(["destroy", "customer-portal", "--yes", "--allow-destroy"], dir);
    expect(destroy.exitCode, destroy.stderr + destroy.stdout).toBe(0);
    expect(await worldResources(dir, "customer-portal")).toEqual([]);
    const list = json<{ deployments: { name: string; resources: number }[] }>(
      await agent(["state", "list", "--json"], dir),
    );
    expect(list.deployments.find((entry) => entry.name === "customer-portal")?.resources ?? 0).toBe(0);
  });

  it("rolls a failure injected halfway back to the world and the state as they were", async () => {
    const dir = tempProject({ config: true });
    const first = await agent(["apply", "-f", "customer-portal.yaml", "--yes"], dir);
    expect(first.exitCode, first.stderr + first.stdout).toBe(0);
    const stateBefore = json<StateDoc>(await agent(["state", "show", "customer-portal", "--json"], dir)).state
      .resources;
    const worldBefore = await worldResources(dir, "customer-portal");

    // v2 updates app-1 and adds a chain whose tip fails for good: some of the run succeeds first.
    const spec = parse(readFileSync(join(dir, "customer-portal.yaml"), "utf8"));
    const resources = spec.spec.resources as { name: string; properties: Record<string, unknown> }[];
    resources.find((resource) => resource.name === "app-1")!.properties["instanceType"] = "t3.large";
    resources.push(
      {
        type: "aws:ec2:instance",
        name: "app-3",
        properties: { instanceType: "t3.medium", ami: "ami-12345", subnet: "${subnet.id}" },
      } as never,
      {
        type: "opnsense:service:dns:override",
        name: "app-3-dns",
        properties: { host: "app3", domain: "portal.lan", ip: "${app-3.ip}" },
      } as never,
      {
        type: "aws:rds:instance",
        name: "reports-db",
        properties: {
          engine: "postgres",
          instanceClass: "db.t3.micro",
          allocatedStorage: 20,
          backupRetentionDays: 7,
          publiclyAccessible: false,
        },
        dependsOn: ["app-3-dns"],
      } as never,
    );
    writeFileSync(join(dir, "v2.yaml"), stringify(spec));
    writeConfig(dir, {
      aws: {
        MOCK_FAULTS: JSON.stringify([
          {
            match: "reports-db",
            op: "create",
            always: true,
            code: "QUOTA_EXCEEDED",
            message: "DB instance quota reached",
          },
        ]),
      },
    });

    const second = await agent(["apply", "-f", "v2.yaml", "--yes", "--json"], dir);
    expect(second.exitCode).toBe(1);
    const report = json<{
      report: {
        outcome: string;
        results: { name: string; status: string; error?: { code: string } }[];
        rollback: { ok: boolean };
      };
    }>(second).report;
    expect(report.results.find((result) => result.name === "reports-db")).toMatchObject({
      status: "failed",
      error: { code: "QUOTA_EXCEEDED" },
    });
    expect(report.results.find((result) => result.name === "app-3")?.status).toBe("succeeded");
    expect(report.outcome).toBe("rolled-back");
    expect(report.rollback.ok).toBe(true);

    const stateAfter = json<StateDoc>(await agent(["state", "show", "customer-portal", "--json"], dir)).state
      .resources;
    const pick = (resources: StateDoc["state"]["resources"]) =>
      Object.fromEntries(
        Object.entries(resources).map(([name, record]) => [
          name,
          { id: record.id, properties: record.properties },
        ]),
      );
    expect(pick(stateAfter)).toEqual(pick(stateBefore));
    const worldAfter = await worldResources(dir, "customer-portal");
    const byName = (world: typeof worldAfter) =>
      Object.fromEntries(world.map((entry) => [entry.name, { id: entry.id, properties: entry.properties }]));
    expect(byName(worldAfter)).toEqual(byName(worldBefore));
  });

  it("keeps the partial result with --no-rollback, and state says exactly what exists", async () => {
    const dir = tempProject({
      env: {
        aws: {
          MOCK_FAULTS: JSON.stringify([{ match: "app-db", op: "create", always: true, code: "FORBIDDEN" }]),
        },
      },
    });
    const run = await agent(["apply", "-f", "customer-portal.yaml", "--yes", "--no-rollback", "--json"], dir);
    expect(run.exitCode).toBe(1);
    expect(json<{ report: { outcome: string } }>(run).report.outcome).toBe("partial");
    const state = json<StateDoc>(await agent(["state", "show", "customer-portal", "--json"], dir)).state
      .resources;
    const world = await worldResources(dir, "customer-portal");
    expect(Object.keys(state)).not.toContain("app-db");
    expect(world.map((entry) => entry.name).sort()).toEqual(Object.keys(state).sort());
  });

  it("retries a throttled create with backoff and succeeds", async () => {
    const dir = tempProject({
      env: {
        aws: {
          MOCK_FAULTS: JSON.stringify([
            { match: "app-2", op: "create", attempts: [1, 2], code: "THROTTLED" },
          ]),
        },
      },
    });
    const run = await agent(["apply", "-f", "customer-portal.yaml", "--yes"], dir);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/app-2: THROTTLED: .*retrying in/);
    expect(run.stdout).toContain("app-2: Creating… (attempt 3)");
  });
});
