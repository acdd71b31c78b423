import { describe, expect, it } from "vitest";
import type { OpnsenseEmulator } from "../../../test/opnsense/emulator.ts";
import { create, destroy, providerFor } from "../../../test/opnsense/in-process.ts";
import { startEmulator } from "../../../test/opnsense/support.ts";
import { ProviderError } from "../../protocol/index.ts";
import { createOpnsenseProvider } from "./server.ts";

const VLAN = "opnsense:network:vlan";

async function withEmulator<T>(
  work: (emulator: OpnsenseEmulator) => Promise<T>,
  version?: string,
): Promise<T> {
  const emulator = await startEmulator(version ? { version } : {});
  try {
    return await work(emulator);
  } finally {
    await emulator.stop();
  }
}

async function planError(emulator: OpnsenseEmulator, type: string, properties: Record<string, unknown>) {
  const { tools } = providerFor(emulator);
  try {
    await tools.planDeployment({
      deploymentId: "v",
      resources: [{ type, name: "x", properties }],
      current: [],
    });
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  return undefined;
}

describe("OPNsense answers become iac.mcp/v1 error codes", () => {
  it("validations name each field in our property names", () =>
    withEmulator(async (emulator) => {
      const { tools } = providerFor(emulator);
      expect((await create(tools, "e", "a", VLAN, { tag: 150, interface: "igc2" })).status).toBe("succeeded");
      const twice = await create(tools, "e", "b", VLAN, { tag: 150, interface: "igc2" });
      expect(twice.error).toMatchObject({ code: "VALIDATION_FAILED", retryable: false });
      expect(twice.error?.message).toContain("tag: Tag already exists for this interface.");
      const orphan = await create(tools, "e", "fe", "opnsense:service:haproxy:frontend", {
        bind: "10.0.0.1:443",
        backend: "00000000-0000-4000-8000-000000000000",
      });
      expect(orphan.error?.code).toBe("VALIDATION_FAILED");
      expect(orphan.error?.message).toMatch(/backend: Backend not found/);
    }));

  it("a bad key or secret is UNAUTHORIZED, a key without the privilege FORBIDDEN naming the endpoint", () =>
    withEmulator(async (emulator) => {
      const wrong = providerFor(emulator, { key: "nobody", secret: "nothing" });
      expect((await create(wrong.tools, "e", "a", VLAN, { tag: 10, interface: "igc2" })).error).toMatchObject(
        { code: "UNAUTHORIZED", retryable: false },
      );
      const firewallOnly = providerFor(emulator, emulator.newKey(["/api/firewall/", "/api/core/"]));
      const denied = await create(firewallOnly.tools, "e", "a", VLAN, { tag: 10, interface: "igc2" });
      expect(denied.error?.code).toBe("FORBIDDEN");
      expect(denied.error?.message).toContain("/api/interfaces/vlan_settings/");
      emulator.faults = { unauthorized: true };
      expect(
        (await create(providerFor(emulator).tools, "e", "a", VLAN, { tag: 10, interface: "igc2" })).error
          ?.code,
      ).toBe("UNAUTHORIZED");
    }));

  it("deleting what something still uses is CONFLICT naming the user", () =>
    withEmulator(async (emulator) => {
      const { tools } = providerFor(emulator);
      const server = await create(tools, "e", "s1", "opnsense:service:haproxy:server", {
        address: "10.0.0.5",
        port: 80,
      });
      const backend = await create(tools, "e", "pool", "opnsense:service:haproxy:backend", {
        mode: "http",
        servers: [server.id!],
      });
      expect(backend.status).toBe("succeeded");
      const refused = await destroy(tools, "e", "s1", "opnsense:service:haproxy:server", server.id!);
      expect(refused.error?.code).toBe("CONFLICT");
      expect(refused.error?.message).toMatch(/in use by haproxy_backend/);
    }));

  it("another 500 and an unreachable firewall are UNAVAILABLE and retryable; a silent one is TIMEOUT", () =>
    withEmulator(async (emulator) => {
      const { tools } = providerFor(emulator);
      emulator.faults = { failCall: { nth: 1, match: /add_item/ } };
      const failed = await create(tools, "e", "a", VLAN, { tag: 20, interface: "igc2" });
      expect(failed.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
      expect(emulator.items("vlan")).toEqual([]);
      emulator.faults = { delayMs: 1_500 };
      const slow = providerFor(emulator, emulator.keys[0], { OPNSENSE_TIMEOUT_MS: "300" });
      expect((await create(slow.tools, "e", "a", VLAN, { tag: 20, interface: "igc2" })).error).toMatchObject({
        code: "TIMEOUT",
        retryable: true,
      });
      emulator.faults = {};
      const url = emulator.url;
      await emulator.stop();
      const gone = createOpnsenseProvider({
        env: { OPNSENSE_URL: url, OPNSENSE_API_KEY: "k", OPNSENSE_API_SECRET: "s" },
      });
      const unreachable = await create(gone.tools, "e", "a", VLAN, { tag: 20, interface: "igc2" });
      expect(unreachable.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
      expect(unreachable.error?.message).toContain(`cannot reach OPNsense at ${url}`);
    }));

  it("without OPNSENSE_URL and the key it still describes its types, and says what to set for the rest", async () => {
    const { tools } = createOpnsenseProvider({ env: {} });
    expect((await tools.describeResourceTypes({})).types).toHaveLength(13);
    await expect(tools.listResources({})).rejects.toThrow(
      /OPNSENSE_URL, OPNSENSE_API_KEY, OPNSENSE_API_SECRET/,
    );
  });
});

describe("version awareness: a feature the release lacks is UNSUPPORTED, naming the release", () => {
  it("26.1 has no interface assignment API, but has destination NAT", () =>
    withEmulator(async (emulator) => {
      const error = await planError(emulator, "opnsense:network:interface", { device: "vlan0.150" });
      expect(error?.code).toBe("UNSUPPORTED");
      expect(error?.message).toMatch(/needs OPNsense 26\.7 or later.*runs 26\.1/);
      const { tools } = providerFor(emulator);
      const nat = await create(tools, "v", "ssh", "opnsense:firewall:nat", {
        interface: "wan",
        port: 2222,
        target: "10.0.0.9",
        targetPort: 22,
      });
      expect(nat.status, JSON.stringify(nat.error)).toBe("succeeded");
      expect((await tools.listResources({})).resources.map((entry) => entry.type)).toEqual([
        "opnsense:firewall:nat",
      ]);
    }, "26.1.4"));

  it("26.7 assigns interfaces but cannot set their ipv4 through the API (26.7.2 can)", () =>
    withEmulator(async (emulator) => {
      const error = await planError(emulator, "opnsense:network:interface", {
        device: "vlan0.150",
        ipv4: "10.0.150.1/24",
      });
      expect(error?.code).toBe("UNSUPPORTED");
      expect(error?.message).toMatch(/ipv4 needs OPNsense 26\.7\.2.*runs 26\.7/);
      const { tools } = providerFor(emulator);
      const plain = await create(tools, "v", "lan2", "opnsense:network:interface", { device: "vlan0.150" });
      expect(plain).toMatchObject({ status: "succeeded", id: "opt1" });
    }, "26.7"));

  it("25.7 has no destination NAT API", () =>
    withEmulator(async (emulator) => {
      const error = await planError(emulator, "opnsense:firewall:nat", {
        interface: "wan",
        port: 2222,
        target: "10.0.0.9",
      });
      expect(error?.message).toMatch(/needs OPNsense 26\.1 or later.*d_nat.*runs 25\.7/);
    }, "25.7"));
});
