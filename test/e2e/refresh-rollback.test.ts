import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ProviderClients } from "../../tools/client/index.ts";
import { AGENT, agent, json, tempProject, worldResources } from "./harness.ts";

type Shown = {
  state: {
    resources: Record<string, { id: string; properties: Record<string, unknown> }>;
    snapshots: unknown[];
  };
};

/** Changes the world behind mcp-iac's back, as a person at a console would. */
async function outOfBand(dir: string, work: (clients: ProviderClients) => Promise<void>) {
  const clients = new ProviderClients(
    { aws: { builtin: "mock" }, opnsense: { builtin: "mock" } },
    { cwd: dir, builtinCommand: { command: process.execPath, args: [AGENT] } },
  );
  try {
    await work(clients);
  } finally {
    await clients.close();
  }
}

describe("refresh and rollback", () => {
  it("reports drift made outside mcp-iac and brings state in line with reality", async () => {
    const dir = tempProject();
    expect((await agent(["apply", "-f", "customer-portal.yaml", "--yes"], dir)).exitCode).toBe(0);
    const before = json<Shown>(await agent(["state", "show", "customer-portal", "--json"], dir)).state
      .resources;

    await outOfBand(dir, async (clients) => {
      const app1 = before["app-1"]!;
      const changed = await clients.call("aws", "applyDeployment", {
        deploymentId: "customer-portal",
        changes: [
          {
            name: "app-1",
            type: "aws:ec2:instance",
            action: "update",
            id: app1.id,
            after: { ...app1.properties, instanceType: "t3.xlarge" },
            diff: [],
          },
        ],
      });
      expect(changed.success).toBe(true);
      const rule = before["allow-https"]!;
      const deleted = await clients.call("opnsense", "destroyDeployment", {
        deploymentId: "customer-portal",
        resources: [
          {
            type: "opnsense:firewall:rule",
            name: "allow-https",
            id: rule.id,
            properties: rule.properties,
            outputs: {},
          },
        ],
      });
      expect(deleted.success).toBe(true);
    });

    const refresh = await agent(["refresh", "customer-portal", "--json"], dir);
    expect(refresh.exitCode, refresh.stderr).toBe(0);
    const drift = json<{ drift: { name: string; kind: string; paths: string[] }[] }>(refresh).drift;
    expect(drift).toContainEqual({
      name: "app-1",
      type: "aws:ec2:instance",
      kind: "changed",
      paths: ["instanceType"],
    });
    expect(drift).toContainEqual({
      name: "allow-https",
      type: "opnsense:firewall:rule",
      kind: "deleted",
      paths: [],
    });

    const after = json<Shown>(await agent(["state", "show", "customer-portal", "--json"], dir)).state
      .resources;
    expect(after["app-1"]!.properties["instanceType"]).toBe("t3.xlarge");
    expect(after["allow-https"]).toBeUndefined();

    // The next plan puts reality back the way the spec says.
    const plan = await agent(["plan", "-f", "customer-portal.yaml"], dir);
    expect(plan.stdout).toContain("Plan: 1 to add, 1 to change, 0 to replace, 0 to destroy.");
    expect(plan.stdout).toMatch(/~ instanceType += "t3.xlarge" -> "t3.medium"/);
  });

  it("restores the provider snapshots taken before an apply that changed existing resources", async () => {
    const dir = tempProject();
    expect((await agent(["apply", "-f", "customer-portal.yaml", "--yes"], dir)).exitCode).toBe(0);
    const spec = parse(readFileSync(join(dir, "customer-portal.yaml"), "utf8"));
    spec.spec.resources.find(
      (resource: { name: string }) => resource.name === "app-1",
    ).properties.instanceType = "t3.large";
    writeFileSync(join(dir, "v2.yaml"), stringify(spec));
    expect((await agent(["apply", "-f", "v2.yaml", "--yes"], dir)).exitCode).toBe(0);

    const shown = json<Shown>(await agent(["state", "show", "customer-portal", "--json"], dir)).state;
    expect(shown.resources["app-1"]!.properties["instanceType"]).toBe("t3.large");
    expect(shown.snapshots.length).toBeGreaterThan(0);

    // It shows what it will restore and asks; with no terminal and no --yes it is not approved (exit 4).
    const asked = await agent(["rollback", "customer-portal"], dir);
    expect(asked.exitCode, asked.stdout + asked.stderr).toBe(4);
    expect(asked.stdout).toMatch(
      /Rollback of customer-portal to aws snapshot .*\n(.*\n)* {2}~ app-1 \(aws:ec2:instance\)/,
    );
    expect(asked.stdout).toMatch(/app-db \(aws:rds:instance\) \[stateful\] unchanged since/);
    expect(
      (await worldResources(dir, "customer-portal")).find((e) => e.name === "app-1")?.properties[
        "instanceType"
      ],
    ).toBe("t3.large");

    const rollback = await agent(["rollback", "customer-portal", "--yes"], dir);
    expect(rollback.exitCode, rollback.stdout + rollback.stderr).toBe(0);
    expect(rollback.stdout).toMatch(/aws: restored snapshot/);
    const world = await worldResources(dir, "customer-portal");
    expect(world.find((entry) => entry.name === "app-1")?.properties["instanceType"]).toBe("t3.medium");
    const restored = json<Shown>(await agent(["state", "show", "customer-portal", "--json"], dir)).state
      .resources;
    expect(restored["app-1"]!.properties["instanceType"]).toBe("t3.medium");
    expect(Object.keys(restored).sort()).toEqual(world.map((entry) => entry.name).sort());
  });
});
