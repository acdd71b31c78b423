import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { createFileBackend } from "../agent/state/index.ts";
import { COMMANDS } from "./commands/index.ts";
import { main } from "./main.ts";
import { testIo } from "./test-support.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));

async function run(argv: string[], options: { tty?: boolean; answers?: string } = {}) {
  const streams = testIo(options);
  const exitCode = await main(argv, streams.io);
  return { exitCode, stdout: streams.stdout(), stderr: streams.stderr() };
}

function project(resources: { type: string; name: string; properties: Record<string, unknown> }[]) {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-cli-"));
  const spec = join(dir, "net.yaml");
  writeFileSync(
    spec,
    stringify({
      apiVersion: "iac.mcp/v1",
      kind: "Deployment",
      metadata: { name: "net" },
      spec: { resources },
    }),
  );
  return { dir, spec };
}

const VLANS = [
  { type: "opnsense:network:vlan", name: "office", properties: { tag: 110, interface: "igc1" } },
  { type: "opnsense:network:vlan", name: "lab", properties: { tag: 120, interface: "igc1" } },
];

describe("agent help", () => {
  it("lists every command from its definition", async () => {
    const help = await run(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("agent — AI-native infrastructure as code");
    for (const command of COMMANDS) {
      for (const usage of command.usage) expect(help.stdout).toContain(usage.trim());
      expect(help.stdout).toContain(command.summary);
    }
  });

  it("shows one command's flags and exit codes, for --help and for `agent help NAME`", async () => {
    for (const command of COMMANDS.filter((entry) => entry.name)) {
      const help = await run([command.name, "--help"]);
      expect(help.exitCode, command.name).toBe(0);
      for (const [name, spec] of Object.entries(command.flags)) {
        expect(help.stdout).toContain(`--${name}`);
        expect(help.stdout).toContain(spec.help);
      }
      for (const [code, meaning] of Object.entries(command.exitCodes))
        expect(help.stdout).toContain(`${code}  ${meaning}`);
      expect((await run(["help", command.name])).stdout).toBe(help.stdout);
    }
  });
});

describe("agent usage errors", () => {
  it("refuses a flag the command does not take, naming both (exit 2)", async () => {
    const wrong = await run(["state", "list", "--dry-run"]);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain("agent state does not take --dry-run");
    expect(wrong.stderr).toContain("`agent state --help`");
    const json = await run(["destroy", "net", "--snapshot", "x", "--json"]);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: "USAGE",
      message: "agent destroy does not take --snapshot",
    });
  });

  it("checks every command's flags against its own definition", async () => {
    for (const command of COMMANDS.filter((entry) => entry.name && entry.name !== "goal")) {
      const wrong = await run([command.name, "--no-such-flag"]);
      expect(wrong.exitCode, command.name).toBe(2);
      expect(wrong.stderr).toContain(`agent ${command.name} does not take --no-such-flag`);
    }
    const goal = await run(["deploy a web app", "--snapshot", "x"]);
    expect(goal.exitCode).toBe(2);
    expect(goal.stderr).toContain('agent "<goal>" does not take --snapshot');
  });

  it("takes the global flags on every command, and says which word is not a command", async () => {
    expect((await run(["memory", "frob", "--yes", "--cwd", tmpdir()])).stderr).toContain(
      "agent memory takes list, search TEXT or forget ID",
    );
    const unknown = await run(["aply"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown command "aply"');
  });
});

describe("agent commands in process (sandbox profile)", () => {
  it("plans, applies with --json-stream, and lists state", async () => {
    const { dir, spec } = project(VLANS);
    const plan = await run(["plan", "-f", spec, "--cwd", dir]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/2 to add/);

    const apply = await run(["apply", "-f", spec, "--yes", "--json-stream", "--cwd", dir]);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const lines = apply.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines.map((line) => line.type)).toContain("change.succeeded");
    expect(lines.at(-1)).toMatchObject({ type: "result", command: "apply", exitCode: 0 });

    // Global flags go before the command word as well as after it.
    const listed = await run(["--cwd", dir, "state", "list", "--json"]);
    expect(JSON.parse(listed.stdout).deployments).toEqual([
      expect.objectContaining({ name: "net", resources: 2 }),
    ]);
  });

  it("streams a goal's events as JSON Lines, the planner's included, and ends with the result", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", undefined);
    vi.stubEnv("OPENAI_API_KEY", undefined);
    vi.stubEnv("MCP_IAC_MODEL", undefined);
    const { dir } = project([]);
    const goal = await run(["a small web server in a new VPC", "--dry-run", "--json-stream", "--cwd", dir]);
    vi.unstubAllEnvs();
    expect(goal.exitCode, goal.stderr).toBe(0);
    const lines = goal.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines.map((line) => line.type)).toEqual(
      expect.arrayContaining(["planner.selected", "plan.ready"]),
    );
    expect(lines.at(-1)).toMatchObject({ type: "result", command: "goal", outcome: "planned" });
  });

  it("refuses --json with --json-stream", async () => {
    const both = await run(["plan", "-f", "x.yaml", "--json", "--json-stream"]);
    expect(both.exitCode).toBe(2);
  });
});

describe("agent refresh and orphans", () => {
  /** A deployment whose `lab` VLAN exists at the provider while state has forgotten it. */
  async function withOrphan() {
    const { dir, spec } = project(VLANS);
    expect((await run(["apply", "-f", spec, "--yes", "--cwd", dir])).exitCode).toBe(0);
    const writer = await createFileBackend(join(dir, ".mcp-iac")).open("net", { command: "test" });
    await writer.removeResource("lab");
    await writer.commit();
    await writer.close();
    return dir;
  }

  async function heldByState(dir: string): Promise<string[]> {
    const state = await createFileBackend(join(dir, ".mcp-iac")).read("net");
    return Object.keys(state?.resources ?? {}).sort();
  }

  it("without a terminal, reports the orphan and names the flags", async () => {
    const dir = await withOrphan();
    const refresh = await run(["refresh", "net", "--cwd", dir]);
    expect(refresh.exitCode, refresh.stderr).toBe(0);
    expect(refresh.stdout).toContain("1 orphan(s)");
    expect(refresh.stdout).toContain("run again with --adopt-orphans (take into state) or --delete-orphans");
    expect(await heldByState(dir)).toEqual(["office"]);
  });

  it("on a terminal, asks: adopt takes the orphan into state", async () => {
    const dir = await withOrphan();
    const refresh = await run(["refresh", "net", "--cwd", dir], { tty: true, answers: "adopt\n" });
    expect(refresh.exitCode, refresh.stderr).toBe(0);
    expect(refresh.stderr).toContain("adopt / delete / leave");
    expect(refresh.stdout).toContain("adopted into state");
    expect(refresh.stdout).not.toContain("orphan(s): providers list them");
    expect(await heldByState(dir)).toEqual(["lab", "office"]);
  });

  it("on a terminal, leave changes nothing, and delete deletes it at the provider", async () => {
    const dir = await withOrphan();
    const left = await run(["refresh", "net", "--cwd", dir], { tty: true, answers: "l\n" });
    expect(left.stdout).toContain("1 orphan(s)");
    expect(left.stdout).not.toContain("run again with");
    const deleted = await run(["refresh", "net", "--json", "--cwd", dir, "--delete-orphans"]);
    expect(JSON.parse(deleted.stdout).orphans).toEqual([
      expect.objectContaining({ name: "lab", outcome: "deleted" }),
    ]);
    const again = await run(["refresh", "net", "--json", "--cwd", dir]);
    expect(JSON.parse(again.stdout).orphans).toEqual([]);
    expect(await heldByState(dir)).toEqual(["office"]);
  });
});

describe("agent start-up", () => {
  it("`agent --help` loads no engine, Ink, React, model SDK, dockerode or pg", () => {
    const hook = join(mkdtempSync(join(tmpdir(), "mcp-iac-trace-")), "trace.mjs");
    writeFileSync(
      hook,
      `import module from "node:module";
module.registerHooks({ resolve(specifier, context, next) {
  const resolved = next(specifier, context);
  process.stderr.write("LOADED " + resolved.url + "\\n");
  return resolved;
} });`,
    );
    const result = spawnSync(process.execPath, ["--import", hook, join(REPO, "bin", "agent.js"), "--help"], {
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    const loaded = result.stderr.split("\n").filter((line) => line.startsWith("LOADED "));
    expect(loaded.some((line) => line.includes("/cli/commands/apply.ts"))).toBe(true);
    const heavy = loaded.filter((line) =>
      /\/agent\/(engine|run|operations)|\/node_modules\/(ink|react|@anthropic-ai|openai|dockerode|pg)\//.test(
        line,
      ),
    );
    expect(heavy).toEqual([]);
  });
});
