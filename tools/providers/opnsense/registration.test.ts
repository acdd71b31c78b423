import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initConfig, initSummary } from "../../../agent/init.ts";

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
