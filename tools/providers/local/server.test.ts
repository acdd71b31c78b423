import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import { EnvelopeSchema, TOOL_NAMES } from "../../protocol/index.ts";
import { processAlive } from "./process-identity.ts";
import { callTool, freePort, httpServiceCommand } from "./test-support.ts";

const RUN = join(import.meta.dirname, "run.ts");

async function connectStdio(cwd: string, stateDir: string) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [RUN],
    cwd,
    env: { ...(process.env as Record<string, string>), LOCAL_PROVIDER_STATE_DIR: stateDir },
    stderr: "pipe",
  });
  const client = new Client({ name: "local-stdio-test", version: "0.0.0" });
  await client.connect(transport);
  return client;
}

describe("the local provider over stdio", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("serves the ten tools, keeps its record in LOCAL_PROVIDER_STATE_DIR, and its services outlive it", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "mcp-iac-local-stdio-"));
    cleanup.push(() => rm(cwd, { recursive: true, force: true }));
    const stateDir = join(cwd, "provider-state");
    const first = await connectStdio(cwd, stateDir);
    cleanup.push(() => first.close());

    const { tools } = await first.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...TOOL_NAMES].sort());

    const port = await freePort();
    const resources = [
      { type: "local:file:file", name: "note", properties: { path: "note.txt", content: "hi" } },
      { type: "local:process:service", name: "web", properties: { command: httpServiceCommand(port), port } },
    ];
    const plan = await callTool(first, "planDeployment", { deploymentId: "stdio", resources, current: [] });
    expect(EnvelopeSchema.safeParse(plan).success).toBe(true);
    const applied = await callTool(first, "applyDeployment", {
      deploymentId: "stdio",
      changes: plan.data!.changes,
    });
    expect(applied.data?.results.map((result) => result.status)).toEqual(["succeeded", "succeeded"]);
    const service = applied.data!.results[1]!;
    const pid = service.outputs?.pid as number;
    cleanup.push(async () => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    });
    expect(await readFile(join(cwd, "note.txt"), "utf8")).toBe("hi");
    const record = JSON.parse(await readFile(join(stateDir, "records.json"), "utf8"));
    expect(record.resources.map((entry: { name: string }) => entry.name).sort()).toEqual(["note", "web"]);

    // The provider exits with its client; the service it started keeps serving.
    await first.close();
    expect(processAlive(pid)).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");

    // A new provider process finds it through the record and stops it.
    const second = await connectStdio(cwd, stateDir);
    cleanup.push(() => second.close());
    const state = await callTool(second, "getDeploymentState", { deploymentId: "stdio" });
    expect(state.data?.resources.map((entry) => entry.id).sort()).toEqual(
      [applied.data!.results[0]!.id, service.id].sort(),
    );
    const current = resources.map((resource, index) => ({
      ...resource,
      id: applied.data!.results[index]!.id!,
      outputs: applied.data!.results[index]!.outputs,
    }));
    const destroyed = await callTool(second, "destroyDeployment", {
      deploymentId: "stdio",
      resources: current,
    });
    expect(destroyed.data?.results.map((result) => result.status)).toEqual(["succeeded", "succeeded"]);
    expect(processAlive(pid)).toBe(false);
    const after = await callTool(second, "getDeploymentState", { deploymentId: "stdio" });
    expect(after.data?.resources).toEqual([]);
  });

  it("stops a running command's whole process group when its client goes away, and never reruns it blindly", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "mcp-iac-local-interrupt-"));
    cleanup.push(() => rm(cwd, { recursive: true, force: true }));
    const stateDir = join(cwd, "provider-state");
    const first = await connectStdio(cwd, stateDir);
    const resource = {
      type: "local:command:run",
      name: "migrate",
      // A child in the background, as a real script's would be: the group, not only the shell, must go.
      properties: { create: "sleep 300 & echo $! > child.pid; wait", timeoutMs: 600_000 },
    };
    const plan = await callTool(first, "planDeployment", {
      deploymentId: "d",
      resources: [resource],
      current: [],
    });
    const applying = callTool(first, "applyDeployment", {
      deploymentId: "d",
      changes: plan.data!.changes,
    }).catch(() => undefined);
    const pidFile = join(cwd, "child.pid");
    let child = 0;
    for (let i = 0; i < 2_000 && !child; i++) {
      child = Number.parseInt(await readFile(pidFile, "utf8").catch(() => ""), 10) || 0;
      if (!child) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(child).toBeGreaterThan(0);
    cleanup.push(async () => {
      try {
        process.kill(child, "SIGKILL");
      } catch {}
    });
    expect(processAlive(child)).toBe(true);

    await first.close(); // as the CLI does on Ctrl-C
    await applying;
    for (let i = 0; i < 500 && processAlive(child); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(processAlive(child)).toBe(false);

    // The next apply does not run the cut-off command again without a word.
    const second = await connectStdio(cwd, stateDir);
    cleanup.push(() => second.close());
    const again = await callTool(second, "applyDeployment", {
      deploymentId: "d",
      changes: plan.data!.changes,
    });
    const result = again.data?.results[0];
    expect(result?.status).toBe("failed");
    expect(result?.error?.code).toBe("CONFLICT");
    expect(result?.error?.message).toMatch(
      /create command of migrate \(deployment d\) was interrupted at .* not run again blindly/,
    );
  });
});
