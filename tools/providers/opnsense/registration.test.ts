import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initConfig, initSummary } from "../../../agent/init.ts";
import { create, providerFor } from "../../../test/opnsense/in-process.ts";
import { startEmulator } from "../../../test/opnsense/support.ts";

const VARS = ["OPNSENSE_URL", "OPNSENSE_API_KEY", "OPNSENSE_API_SECRET"] as const;
const saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("agent init and the OPNsense provider", () => {
  const nowhere = "unix:///nonexistent/docker.sock";

  it("writes opnsense: { builtin: opnsense } when OPNSENSE_URL and the key are set, and never the secret", async () => {
    Object.assign(process.env, {
      OPNSENSE_URL: "https://fw.lan",
      OPNSENSE_API_KEY: "key-123",
      OPNSENSE_API_SECRET: "secret-456",
    });
    const result = await initConfig({
      cwd: mkdtempSync(join(tmpdir(), "init-opn-")),
      dockerHost: nowhere,
      dryRun: true,
    });
    expect(result.content).toMatch(/^ {2}opnsense: \{ builtin: opnsense \}$/m);
    expect(result.content).not.toContain("secret-456");
    expect(initSummary(result).join("\n")).toContain("the real OPNsense provider");
  });

  it("keeps the mock while any of the three is missing", async () => {
    Object.assign(process.env, { OPNSENSE_URL: "https://fw.lan", OPNSENSE_API_KEY: "key-123" });
    delete process.env.OPNSENSE_API_SECRET;
    const result = await initConfig({
      cwd: mkdtempSync(join(tmpdir(), "init-opn-")),
      dockerHost: nowhere,
      dryRun: true,
    });
    expect(result.content).toMatch(/^ {2}opnsense: \{ builtin: mock \}$/m);
    expect(result.opnsenseFromEnv).toBeUndefined();
  });
});

describe("mounted under another name (a second firewall)", () => {
  it("serves and reports its types under that prefix", async () => {
    const emulator = await startEmulator();
    try {
      const { tools } = providerFor(emulator, emulator.keys[0], { MCP_IAC_SERVER_NAME: "fw2" });
      const described = await tools.describeResourceTypes({});
      expect(described.types.map((info) => info.type)).toContain("fw2:network:vlan");
      const made = await create(tools, "two", "guests", "fw2:network:vlan", { tag: 42, interface: "igc3" });
      expect(made.status, JSON.stringify(made.error)).toBe("succeeded");
      const listed = await tools.listResources({ filter: { deploymentId: "two" } });
      expect(listed.resources.map((entry) => [entry.type, entry.name])).toEqual([
        ["fw2:network:vlan", "guests"],
      ]);
      const snapshot = await tools.createSnapshot({ deploymentId: "two" });
      expect((snapshot.resources as { type: string }[]).map((entry) => entry.type)).toEqual([
        "fw2:network:vlan",
      ]);
    } finally {
      await emulator.stop();
    }
  });
});
