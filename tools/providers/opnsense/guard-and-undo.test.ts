import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OpnsenseEmulator } from "../../../test/opnsense/emulator.ts";
import { create, providerFor, update } from "../../../test/opnsense/in-process.ts";
import { startEmulator } from "../../../test/opnsense/support.ts";
import type { Resource } from "../../protocol/index.ts";

let emulator: OpnsenseEmulator;
let apiPort: number;
beforeEach(async () => {
  emulator = await startEmulator();
  apiPort = Number(new URL(emulator.url).port);
});
afterEach(() => emulator.stop());

const RULE = "opnsense:firewall:rule";

/** The configuration with each collection's items sorted by id: what a restore must bring back. */
const sortedDump = () =>
  JSON.stringify(
    Object.entries(emulator.dump()).map(([name, items]) => [
      name,
      Object.entries(items).sort(([a], [b]) => a.localeCompare(b)),
    ]),
  );

describe("lockout guard: nothing may cut off the API the provider uses", () => {
  it("validateConfig refuses a block rule, a port forward and an alias that would catch the API's address:port", async () => {
    const { tools } = providerFor(emulator);
    const resources: Resource[] = [
      { type: RULE, name: "deny-all", properties: { action: "block", protocol: "tcp", destination: "any" } },
      {
        type: RULE,
        name: "deny-web",
        properties: { action: "reject", destination: "127.0.0.0/8", port: apiPort },
      },
      {
        type: RULE,
        name: "deny-other-port",
        properties: { action: "block", protocol: "tcp", destination: "127.0.0.1", port: 1 },
      },
      { type: RULE, name: "allow-all", properties: { action: "pass", destination: "any" } },
      {
        type: "opnsense:firewall:nat",
        name: "steal",
        properties: { interface: "wan", port: apiPort, target: "10.0.0.9" },
      },
      {
        type: "opnsense:firewall:alias",
        name: "mgmt",
        properties: { name: "mgmt", type: "host", content: ["127.0.0.1"] },
      },
      {
        type: RULE,
        name: "deny-mgmt",
        properties: { action: "block", destination: "mgmt", port: "1-65535", allowLockout: false },
      },
    ];
    const result = await tools.validateConfig({ resources });
    expect(result.valid).toBe(false);
    const refused = result.issues
      .filter((issue) => issue.severity === "error")
      .map((issue) => issue.resource);
    expect(refused.sort()).toEqual(["deny-all", "deny-web", "mgmt", "steal"]);
    expect(result.issues.find((issue) => issue.resource === "deny-all")?.message).toContain(
      `127.0.0.1:${apiPort}`,
    );
    await expect(tools.planDeployment({ deploymentId: "g", resources, current: [] })).rejects.toThrow(
      /validation error/,
    );
    const overridden = await tools.validateConfig({
      resources: [
        {
          type: RULE,
          name: "deny-all",
          properties: { action: "block", destination: "any", allowLockout: true },
        },
      ],
    });
    expect(overridden.valid).toBe(true);
  });

  it("after a filter apply that cuts the API off, the error says so and names the history entry to restore", async () => {
    const { tools } = providerFor(emulator);
    const before = emulator.history[0]!.id;
    const result = await create(tools, "g", "deny-all", RULE, {
      action: "block",
      destination: "any",
      allowLockout: true,
    });
    expect(emulator.lockedOut).toBe(true);
    expect(result.error).toMatchObject({ code: "UNAVAILABLE", retryable: false });
    expect(result.error?.message).toContain("stopped answering after the filter was applied");
    expect(result.error?.message).toContain(before);
  });
});

describe("discovery and the provider's own undo", () => {
  it("listResources finds ours by deployment through the description marker, and lists unmanaged items without a filter", async () => {
    emulator.config["vlan"]!.set("11111111-2222-4333-8444-555555555555", {
      if: "igc1",
      tag: "99",
      pcp: "0",
      proto: "",
      descr: "by hand",
      vlanif: "vlan0.99",
    });
    const { tools } = providerFor(emulator);
    const made = await create(tools, "disco", "guests", "opnsense:network:vlan", {
      tag: 150,
      interface: "igc2",
      description: "guests",
    });
    expect(emulator.items("vlan")[1]!["descr"]).toBe("guests [mcp-iac:disco/guests]");
    const ours = (await tools.listResources({ filter: { deploymentId: "disco" } })).resources;
    expect(ours).toEqual([
      {
        id: made.id,
        type: "opnsense:network:vlan",
        name: "guests",
        deploymentId: "disco",
        properties: { tag: 150, interface: "igc2", description: "guests" },
        outputs: { id: made.id, device: "vlan0.150" },
        managed: true,
      },
    ]);
    const all = (await tools.listResources({})).resources;
    expect(all.find((entry) => entry.id.startsWith("11111111"))).toMatchObject({
      managed: false,
      properties: { tag: 99, interface: "igc1", description: "by hand" },
    });
    expect(all.find((entry) => entry.id.startsWith("11111111"))?.name).toBeUndefined();
  });

  it("rollbackToSnapshot sets back what changed, re-creates what was deleted, deletes what is new, and reconfigures", async () => {
    const { tools } = providerFor(emulator);
    const vlan = await create(tools, "undo", "net", "opnsense:network:vlan", { tag: 150, interface: "igc2" });
    const pool = await create(tools, "undo", "pool", "opnsense:service:haproxy:backend", {
      mode: "http",
      servers: ["10.0.0.1:80", "10.0.0.2:80"],
    });
    const rule = await create(tools, "undo", "https", RULE, {
      action: "pass",
      protocol: "tcp",
      destination: "10.0.0.1",
      port: 443,
    });
    const before = sortedDump();
    const snapshot = await tools.createSnapshot({ deploymentId: "undo" });
    const names = (snapshot.resources as { name: string }[]).map((entry) => entry.name);
    expect(names.sort()).toEqual(["https", "net", "pool"]);

    await update(tools, "undo", "net", "opnsense:network:vlan", vlan.id!, {
      tag: 151,
      interface: "igc2",
      description: "moved",
    });
    await update(tools, "undo", "pool", "opnsense:service:haproxy:backend", pool.id!, {
      mode: "tcp",
      servers: ["10.0.0.1:80", "10.0.0.3:80"],
    });
    await tools.destroyDeployment({
      deploymentId: "undo",
      resources: [
        { name: "https", type: RULE, id: rule.id!, properties: {}, outputs: {}, status: "created" },
      ],
    });
    await create(tools, "undo", "extra", "opnsense:service:dns:override", {
      host: "x",
      domain: "lan",
      ip: "10.0.0.7",
    });
    expect(sortedDump()).not.toBe(before);

    emulator.calls.length = 0;
    const undone = await tools.rollbackToSnapshot({ snapshotId: snapshot.snapshotId });
    expect(undone.restored.sort()).toEqual(["https", "net", "pool"]);
    expect(undone.deleted.sort()).toEqual(["extra", "pool"]);
    expect(sortedDump()).toBe(before);
    expect(emulator.settled()).toBe(true);
    const applied = emulator.calls
      .filter((call) => /\/(apply|reconfigure)$/.test(call.path))
      .map((call) => call.path);
    expect(applied.sort()).toEqual([
      "/api/firewall/filter/apply",
      "/api/haproxy/service/reconfigure",
      "/api/interfaces/vlan_settings/reconfigure",
      "/api/unbound/service/reconfigure",
    ]);
  });
});
