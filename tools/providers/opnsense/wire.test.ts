import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpnsenseEmulator } from "../../../test/opnsense/emulator.ts";
import { create, destroy, providerFor, takeCalls, update } from "../../../test/opnsense/in-process.ts";
import { startEmulator } from "../../../test/opnsense/support.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import { SPECS } from "./server.ts";

let emulator: OpnsenseEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
  // The references the examples make on a real firewall: a backend for the frontend, a Kea subnet for the lease.
  emulator.config["haproxy_backend"]!.set("4c1a3f0e-8b7d-4e2a-9c51-0d6e2f3a4b5c", {
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
    description: "",
  });
});
afterAll(() => emulator.stop());

/** The action segment of /api/module/controller/action/args. */
const action = (call: string) => call.split(" ")[1]!.split("/")[4] ?? "";
const isWrite = (call: string) => call.startsWith("POST") && /^(add|set|del)/i.test(action(call));
const isApply = (call: string) => /^(apply|reconfigure)$/.test(action(call));

/** Every write is followed by its module's apply/reconfigure before the tool returns, and nothing is written after it. */
function expectApplied(calls: string[]): void {
  const writes = calls.map((call, index) => ({ call, index })).filter(({ call }) => isWrite(call));
  expect(writes.length).toBeGreaterThan(0);
  const lastWrite = writes[writes.length - 1]!.index;
  const applies = calls.map((call, index) => ({ call, index })).filter(({ call }) => isApply(call));
  const after = applies.filter(({ index }) => index > lastWrite);
  const modules = (call: string) => call.split(" ")[1]!.split("/")[2];
  // Certificates and users take effect at once: their modules have no apply.
  if (/\/(trust|auth)\//.test(writes[0]!.call)) {
    expect(applies).toEqual([]);
    return;
  }
  expect(after.map(({ call }) => modules(call))).toContain(modules(writes[0]!.call));
}

describe("the wire format of each module: create, update and delete from the type's examples", () => {
  for (const spec of SPECS) {
    it(`${spec.type} sends what the golden file says, and applies after every change`, async () => {
      const [first, second] = spec.properties["examples"] as [PropertyMap, PropertyMap];
      const { tools } = providerFor(emulator);
      takeCalls(emulator);
      const made = await create(tools, "golden", "item", spec.type, first);
      expect(made.status, JSON.stringify(made.error)).toBe("succeeded");
      const createCalls = takeCalls(emulator);
      expectApplied(createCalls);
      const changed = await update(tools, "golden", "item", spec.type, made.id!, second);
      expect(changed.status, JSON.stringify(changed.error)).toBe("succeeded");
      const updateCalls = takeCalls(emulator);
      expectApplied(updateCalls);
      // An update is a set on the same id, never a delete and re-add.
      expect(updateCalls.some((call) => isWrite(call) && action(call).startsWith("set"))).toBe(true);
      expect(updateCalls.filter((call) => isWrite(call) && action(call) === spec.collection.add)).toEqual([]);
      const gone = await destroy(tools, "golden", "item", spec.type, made.id!);
      expect(gone.status, JSON.stringify(gone.error)).toBe("succeeded");
      const deleteCalls = takeCalls(emulator);
      expectApplied(deleteCalls);
      // One call per line, in a .golden file (plain text, so formatters leave it alone).
      const golden = Object.entries({ create: createCalls, update: updateCalls, delete: deleteCalls })
        .map(([step, calls]) => `## ${step}\n${calls.join("\n")}\n`)
        .join("\n");
      await expect(golden).toMatchFileSnapshot(`./__golden__/${spec.type.replace(/:/g, "_")}.golden`);
    });
  }

  it("maps the rule's catalog names onto the API's: port, protocol case, interface names", async () => {
    const { tools } = providerFor(emulator);
    takeCalls(emulator);
    const made = await create(tools, "golden", "https", "opnsense:firewall:rule", {
      action: "pass",
      interface: "WAN",
      protocol: "tcp",
      source: "any",
      destination: "10.0.150.1",
      port: 443,
    });
    const add = takeCalls(emulator).find((call) => call.includes("/add_rule"))!;
    const body = JSON.parse(add.slice(add.indexOf("{"))) as { rule: Record<string, string> };
    expect(body.rule).toMatchObject({
      interface: "wan",
      protocol: "TCP",
      destination_port: "443",
      destination_net: "10.0.150.1",
      source_net: "any",
    });
    expect(body.rule["description"]).toBe("[mcp-iac:golden/https]");
    await destroy(tools, "golden", "https", "opnsense:firewall:rule", made.id!);
  });

  it("writes NAT with the inverted disabled flag and nested source/destination", async () => {
    const { tools } = providerFor(emulator);
    takeCalls(emulator);
    const made = await create(tools, "golden", "ssh", "opnsense:firewall:nat", {
      interface: "wan",
      protocol: "tcp",
      port: 2222,
      target: "10.0.150.11",
      targetPort: 22,
      enabled: false,
    });
    const add = takeCalls(emulator).find((call) => call.includes("/d_nat/add_rule"))!;
    const body = JSON.parse(add.slice(add.indexOf("{"))) as { rule: Record<string, unknown> };
    expect(body.rule).toMatchObject({
      disabled: "1",
      destination: { network: "any", port: "2222" },
      target: "10.0.150.11",
      "local-port": "22",
    });
    await destroy(tools, "golden", "ssh", "opnsense:firewall:nat", made.id!);
  });
});
