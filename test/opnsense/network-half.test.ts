import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { AGENT, agent, json } from "../e2e/harness.ts";
import type { OpnsenseEmulator } from "./emulator.ts";
import { providerEnv, startEmulator } from "./support.ts";

/** The seed's network half: VLAN, its interface, HAProxy over two servers, frontend, HTTPS rule, DNS, DHCP. */
function networkHalf(changes: { balance?: string; ruleText?: string; extra?: object[] } = {}) {
  return {
    apiVersion: "iac.mcp/v1",
    kind: "Deployment",
    metadata: { name: "portal-net" },
    spec: {
      resources: [
        {
          type: "opnsense:network:vlan",
          name: "app-network",
          properties: { tag: 150, interface: "igc2", description: "customer portal" },
        },
        {
          type: "opnsense:network:interface",
          name: "app-if",
          properties: { device: "${app-network.device}", ipv4: "10.0.150.1/24", description: "portal" },
        },
        {
          type: "opnsense:service:haproxy:backend",
          name: "app-backend",
          properties: {
            mode: "http",
            balance: changes.balance ?? "roundrobin",
            servers: ["10.0.150.11:8080", "10.0.150.12:8080"],
          },
        },
        {
          type: "opnsense:service:haproxy:frontend",
          name: "haproxy",
          properties: { bind: "10.0.150.1:443", backend: "${app-backend.id}", mode: "http" },
        },
        {
          type: "opnsense:firewall:rule",
          name: "allow-https",
          properties: {
            action: "pass",
            interface: "wan",
            direction: "in",
            protocol: "tcp",
            source: "any",
            destination: "${haproxy.ip}",
            port: 443,
            description: changes.ruleText ?? "HTTPS to the portal",
          },
        },
        {
          type: "opnsense:service:dns:override",
          name: "portal-dns",
          properties: { host: "portal", domain: "example.lan", ip: "${haproxy.ip}" },
        },
        {
          type: "opnsense:service:dhcp:range",
          name: "portal-dhcp",
          properties: { interface: "${app-if.id}", from: "10.0.150.100", to: "10.0.150.199" },
        },
        ...(changes.extra ?? []),
      ],
    },
  };
}

let emulator: OpnsenseEmulator;
let dir: string;
beforeEach(async () => {
  emulator = await startEmulator();
  dir = mkdtempSync(join(tmpdir(), "mcp-iac-opnsense-"));
  writeFileSync(
    join(dir, "mcp-iac.config.yaml"),
    stringify({ mcpServers: { opnsense: { builtin: "opnsense", env: providerEnv(emulator) } } }),
  );
  writeSpec();
});
afterEach(() => emulator.stop());

const writeSpec = (spec: object = networkHalf()) => writeFileSync(join(dir, "portal.yaml"), stringify(spec));
const counts = () =>
  Object.fromEntries(
    Object.entries(emulator.dump()).map(([name, items]) => [name, Object.keys(items).length]),
  );
const EXPECTED = {
  vlan: 1,
  assignment: 1,
  rule: 1,
  alias: 0,
  dnat: 0,
  haproxy_server: 2,
  haproxy_backend: 1,
  haproxy_frontend: 1,
  unbound_host: 1,
  kea_subnet: 1,
  kea_reservation: 0,
  cert: 0,
  user: 0,
  settings: 2,
};
const ids = () =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(emulator.dump()).map(([name, items]) => [name, Object.keys(items).sort()]),
    ),
  );

describe("the seed's network half through `agent apply` against the OPNsense emulator", () => {
  it("applies, re-plans as no change, updates in place, rolls back an injected 500 to exactly what was, and destroys to nothing", async () => {
    const first = await agent(["apply", "-f", "portal.yaml", "--yes"], dir);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(counts()).toEqual(EXPECTED);
    expect(emulator.settled()).toBe(true);
    const rule = emulator.items("rule")[0]!;
    expect(rule).toMatchObject({
      destination_net: "10.0.150.1",
      destination_port: "443",
      protocol: "TCP",
      interface: "wan",
    });
    expect(emulator.items("kea_subnet")[0]).toMatchObject({
      subnet: "10.0.150.0/24",
      pools: "10.0.150.100-10.0.150.199",
    });
    expect(emulator.items("haproxy_frontend")[0]!["defaultBackend"]).toBe(
      Object.keys(emulator.dump()["haproxy_backend"]!)[0],
    );

    const again = await agent(["plan", "-f", "portal.yaml"], dir);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes.");

    const idsBefore = ids();
    writeSpec(networkHalf({ balance: "leastconn", ruleText: "HTTPS to the portal (v2)" }));
    const updated = await agent(["apply", "-f", "portal.yaml", "--yes"], dir);
    expect(updated.exitCode, updated.stdout + updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/0 to add, 2 to change, 0 to replace, 0 to destroy/);
    expect(ids()).toBe(idsBefore);
    expect(emulator.items("haproxy_backend")[0]!["algorithm"]).toBe("leastconn");
    expect(emulator.settled()).toBe(true);

    // v3 changes the rule again and adds an alias whose add keeps failing with a 500.
    const configBefore = JSON.stringify(emulator.dump());
    writeSpec(
      networkHalf({
        balance: "leastconn",
        ruleText: "HTTPS to the portal (v3)",
        extra: [
          {
            type: "opnsense:firewall:alias",
            name: "portal-hosts",
            properties: { name: "portal_hosts", type: "host", content: ["10.0.150.11"] },
            dependsOn: ["allow-https"],
          },
        ],
      }),
    );
    emulator.faults = { failCall: { nth: 1, match: /firewall\/alias\/add_item/, times: 1_000 } };
    const failed = await agent(["apply", "-f", "portal.yaml", "--yes"], dir);
    expect(failed.exitCode, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout + failed.stderr).toMatch(/roll/i);
    expect(emulator.items("rule")[0]!["description"]).toContain("(v2)");
    expect(JSON.stringify(emulator.dump())).toBe(configBefore);
    expect(emulator.settled()).toBe(true);
    emulator.faults = {};

    const destroyed = await agent(["destroy", "portal-net", "--yes"], dir);
    expect(destroyed.exitCode, destroyed.stdout + destroyed.stderr).toBe(0);
    // Everything the deployment made is gone; HAProxy and Kea stay switched on, as after a Terraform destroy.
    const left = counts();
    expect(Object.entries(left).filter(([name, count]) => name !== "settings" && count > 0)).toEqual([]);
    expect(emulator.dump()["settings"]).toMatchObject({
      haproxy: { enabled: "1" },
      dhcpv4: { enabled: "1", interfaces: "opt1" },
    });
    expect(emulator.settled()).toBe(true);
  }, 240_000);

  it("a kill -9 mid-apply, then a re-apply, leaves no duplicate item", async () => {
    emulator.faults = { delayMs: 150 };
    const run = execa(process.execPath, [AGENT, "apply", "-f", "portal.yaml", "--yes"], {
      cwd: dir,
      env: { NO_COLOR: "1" },
      reject: false,
      stdin: "ignore",
    });
    const deadline = Date.now() + 60_000;
    while (emulator.items("haproxy_backend").length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    run.kill("SIGKILL");
    await run;
    // What the provider child still had in flight lands after the kill; let it finish.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    emulator.faults = {};
    const cut = counts();
    for (const [name, count] of Object.entries(EXPECTED)) expect(cut[name], name).toBeLessThanOrEqual(count);

    const again = await agent(["apply", "-f", "portal.yaml", "--yes", "--json", "--force-unlock"], dir);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(json<{ report: { outcome: string } }>(again).report.outcome).toBe("succeeded");
    expect(counts()).toEqual(EXPECTED);
    expect(emulator.settled()).toBe(true);
  }, 240_000);
});
