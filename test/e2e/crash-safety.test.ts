import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createFileBackend } from "../../agent/state/index.ts";
import { AGENT, agent, PREFIXES, tempProject, worldResources, writeSpec } from "./harness.ts";

/** A deployment of many small resources in chains, so an apply takes a while under latency. */
function chainSpec(name: string, count: number) {
  const resources = Array.from({ length: count }, (_, index) => ({
    type: "opnsense:service:dns:override",
    name: `host-${index}`,
    properties: {
      host: `host-${index}`,
      domain: "lab.lan",
      ip: `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    },
    ...(index >= 4 ? { dependsOn: [`host-${index - 4}`] } : {}),
  }));
  return { apiVersion: "iac.mcp/v1", kind: "Deployment", metadata: { name }, spec: { resources } };
}

describe("crash safety", () => {
  it("survives kill -9 of the CLI mid-apply: state parses throughout, and the next apply leaves no duplicate or orphan", async () => {
    let reconciled = 0;
    for (const killAfter of [3, 9, 17]) {
      const dir = tempProject({ env: { opnsense: { MOCK_LATENCY_MS: "50-100" } } });
      writeSpec(dir, "hosts.yaml", chainSpec("hosts", 32));
      const backend = createFileBackend(join(dir, ".mcp-iac"));

      const child = execa(process.execPath, [AGENT, "apply", "-f", "hosts.yaml", "--yes"], {
        cwd: dir,
        env: { NO_COLOR: "1" },
        reject: false,
        stdin: "ignore",
      });
      let started = 0;
      let reads = 0;
      const reading = (async () => {
        // Read state as fast as we can while the apply runs and dies: it must parse every time.
        while (child.exitCode === null && child.signalCode === null) {
          const state = await backend.read("hosts");
          if (state) {
            for (const record of Object.values(state.resources)) expect(record.id).toBeTruthy();
            reads++;
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      await new Promise<void>((resolve) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          // "Creating…" is printed once the begin is recorded and the call is on its way, so a kill
          // now lands mid-operation (a kill after a completion line could fall between two).
          started += (chunk.toString().match(/: Creating…/g) ?? []).length;
          if (started >= killAfter) {
            child.kill("SIGKILL");
            resolve();
          }
        });
        void child.then(() => resolve());
      });
      await child;
      await reading;
      expect(child.signalCode ?? "", `apply finished before it could be killed (after ${started})`).toBe(
        "SIGKILL",
      );
      expect(reads).toBeGreaterThan(0);

      // The lock of the killed run is stale; the next run breaks it explicitly.
      const again = await agent(["apply", "-f", "hosts.yaml", "--yes", "--force-unlock"], dir);
      expect(again.exitCode, again.stdout + again.stderr).toBe(0);
      if (/Reconciling \d+ operation/.test(again.stdout)) reconciled++;

      const state = await backend.read("hosts");
      expect(Object.keys(state!.pending)).toEqual([]);
      const world = await worldResources(dir, "hosts");
      const names = world.map((entry) => entry.name);
      expect(new Set(names).size, "duplicated resources in the world").toBe(names.length);
      expect(names.sort()).toEqual(Object.keys(state!.resources).sort());
      expect(names).toHaveLength(32);
      for (const entry of world) expect(state!.resources[entry.name!]!.id).toBe(entry.id);
    }
    // Killed mid-flight, the runs left operations pending that the next apply had to settle.
    expect(reconciled).toBeGreaterThan(0);
  });

  it("stops cleanly on Ctrl-C: the lock is released and the next apply needs no --force-unlock", async () => {
    const dir = tempProject({ env: { opnsense: { MOCK_LATENCY_MS: "200" } } });
    writeSpec(dir, "hosts.yaml", chainSpec("hosts", 16));
    const child = execa(process.execPath, [AGENT, "apply", "-f", "hosts.yaml", "--yes"], {
      cwd: dir,
      env: { NO_COLOR: "1" },
      reject: false,
      stdin: "ignore",
    });
    let interruptSent = false;
    await new Promise<void>((resolve) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        if (!interruptSent && chunk.toString().includes("Creation complete")) {
          interruptSent = true;
          child.kill("SIGINT");
          resolve();
        }
      });
      void child.then(() => resolve());
    });
    const interrupted = await child;
    expect(interrupted.exitCode).toBe(130);
    expect(String(interrupted.stderr)).toMatch(/Interrupted/);

    const again = await agent(["apply", "-f", "hosts.yaml", "--yes"], dir);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    const world = await worldResources(dir, "hosts");
    expect(world).toHaveLength(16);
    expect(new Set(world.map((entry) => entry.name)).size).toBe(16);
  });

  it("reports a crashed provider server by its name and rolls back", async () => {
    const dir = tempProject({
      env: { aws: { MOCK_CRASH: JSON.stringify({ match: "app-db", op: "create", when: "before" }) } },
    });
    const run = await agent(["apply", "-f", "customer-portal.yaml", "--yes"], dir);
    expect(run.exitCode).toBe(1);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/app-db: UNAVAILABLE: .*\baws\b.*crash/i);
    expect(output).not.toMatch(/\n\s+at .*\.ts:\d+/);
    const world = await worldResources(dir, "customer-portal");
    expect(world).toEqual([]);
  });

  it("lets exactly one of two concurrent applies of a deployment run", async () => {
    // The first apply is held mid-run by a file the mock waits on, so the second surely meets its
    // lock however slow the machine is; removing the file lets the first finish.
    const dir = tempProject();
    const hold = join(dir, "hold");
    writeFileSync(hold, "");
    writeFileSync(
      join(dir, "mcp-iac.config.yaml"),
      stringify({
        mcpServers: Object.fromEntries(
          PREFIXES.map((prefix) => [
            prefix,
            prefix === "opnsense"
              ? { builtin: "mock", env: { MOCK_HOLD_FILE: hold }, timeoutMs: 600_000 }
              : { builtin: "mock" },
          ]),
        ),
      }),
    );
    writeSpec(dir, "hosts.yaml", chainSpec("hosts", 24));
    const first = execa(process.execPath, [AGENT, "apply", "-f", "hosts.yaml", "--yes"], {
      cwd: dir,
      env: { NO_COLOR: "1" },
      reject: false,
      stdin: "ignore",
    });
    await new Promise<void>((resolve) => {
      first.stdout?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("Creating")) resolve();
      });
      void first.then(() => resolve());
    });
    const second = await agent(["apply", "-f", "hosts.yaml", "--yes"], dir);
    rmSync(hold);
    const firstResult = await first;
    expect(firstResult.exitCode).toBe(0);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/locked/i);
    expect(second.stderr).toMatch(/pid \d+/);
    expect(second.stderr).toMatch(/since/);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    const world = await worldResources(dir, "hosts");
    expect(world).toHaveLength(24);
  });
});
