import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeAgent, memoryFileFor, stateBackendFor } from "./compose.ts";
import type { StampedEvent } from "./events.ts";
import { createScriptedModel } from "./llm/scripted.ts";

const SECRET = "tok-0123456789-secret";
const SELF = { command: process.execPath, args: ["--version"] };

function folder(): string {
  return mkdtempSync(join(tmpdir(), "mcp-iac-compose-"));
}

describe("the composition root", () => {
  it("reads the config of cwd: servers, per-server limits, file state under cwd", async () => {
    const dir = folder();
    writeFileSync(
      join(dir, "mcp-iac.config.yaml"),
      `mcpServers:\n  aws: { builtin: mock, parallelism: 2, env: { TOKEN: ${SECRET} } }\n  docker: { builtin: mock }\n`,
    );
    const root = composeAgent({ cwd: dir, builtinCommand: SELF, env: {} });
    try {
      expect(root.loaded.sandbox).toBe(false);
      expect(root.servers).toEqual(["aws", "docker"]);
      expect(root.perServer).toEqual({ aws: 2 });
      expect(root.state.describe()).toContain(join(dir, ".mcp-iac"));
      expect(root.model().description).toMatch(/offline/);
    } finally {
      await root.close();
    }
  });

  it("gives every sink's events the config's secrets scrubbed, numbered from 1 and timed", async () => {
    const dir = folder();
    const root = composeAgent({
      cwd: dir,
      builtinCommand: SELF,
      env: {},
      loaded: {
        config: { mcpServers: { aws: { builtin: "mock", env: { TOKEN: SECRET } } } },
        source: "test",
        sandbox: false,
      },
    });
    const first: StampedEvent[] = [];
    const second: StampedEvent[] = [];
    const workspace = root.workspace((event) => first.push(event));
    workspace.emit({ type: "notice", level: "warn", message: `the server said ${SECRET}` });
    workspace.emit({ type: "notice", level: "info", message: "again" });
    root.sink((event) => second.push(event))({ type: "notice", level: "info", message: "other stream" });
    expect(first.map((event) => event.seq)).toEqual([1, 2]);
    expect(second.map((event) => event.seq)).toEqual([1]);
    expect(JSON.stringify(first)).not.toContain(SECRET);
    expect(first[0]).toMatchObject({ type: "notice", message: "the server said [redacted]" });
    expect(Number.isNaN(Date.parse(first[0]!.ts))).toBe(false);
    await root.close();
  });
});

describe("the composition root's services", () => {
  it("builds a run's services: the caller's model, policies with and without --allow-destroy", async () => {
    const dir = folder();
    const model = createScriptedModel([]);
    const root = composeAgent({
      cwd: dir,
      builtinCommand: SELF,
      env: {},
      loaded: { config: { mcpServers: { aws: { builtin: "mock" } } }, source: "test", sandbox: false },
      model: { model, description: "scripted" },
    });
    const memory = root.openMemory();
    try {
      const strict = await root.policies();
      const permissive = await root.policies({ allowDestroy: true });
      const rule = (set: typeof strict) =>
        set.rules().find((entry) => entry.policy === "baseline/stateful-change-approval")?.enforcement;
      expect(rule(strict)).toBe("mandatory");
      expect(rule(permissive)).toBe("advisory");
      const services = root.services({ workspace: root.workspace(() => {}), memory, policies: strict });
      expect(services.model).toBe(model);
      expect(services.modelDescription).toBe("scripted");
      expect(services.servers).toEqual(["aws"]);
      expect(services.scrubber).toBe(root.scrubber);
      expect(memory.describe()).toContain(memoryFileFor(dir));
    } finally {
      await memory.close();
      await root.close();
    }
  });

  it("refuses a state backend this version does not have, without printing its credentials", () => {
    expect(() =>
      stateBackendFor(
        {
          config: { mcpServers: {}, state: { backend: "mysql://user:pw@host/db" } },
          source: "test",
          sandbox: false,
        },
        folder(),
      ),
    ).toThrow(/state backend "mysql:\/\/…@host\/db" is not available/);
  });
});
