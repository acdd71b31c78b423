import { afterEach, describe, expect, it } from "vitest";
import { processAlive } from "./process-identity.ts";
import { connectLocal, createOne, freePort, httpServiceCommand } from "./test-support.ts";

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting until ${what}`);
}

describe("local:process:service", () => {
  let env: Awaited<ReturnType<typeof connectLocal>>;
  const started: number[] = [];
  afterEach(async () => {
    // A failed assertion must not leave a server behind.
    for (const pid of started.splice(0)) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    }
    await env?.close();
  });

  it("starts a service, waits for its port, serves on 127.0.0.1, and stops it on delete", async () => {
    env = await connectLocal();
    const port = await freePort();
    const resource = {
      type: "local:process:service",
      name: "web",
      properties: { command: httpServiceCommand(port), port },
    };
    const created = await createOne(env.call, "s1", resource);
    expect(created).toMatchObject({
      status: "succeeded",
      outputs: { port, url: `http://127.0.0.1:${port}` },
    });
    const pid = created.outputs?.pid as number;
    started.push(pid);
    expect(processAlive(pid)).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");

    const read = await env.call("getResource", { type: "local:process:service", id: created.id! });
    expect(read.data).toMatchObject({ id: created.id, properties: resource.properties, outputs: { pid } });
    const listed = await env.call("listResources", { filter: { deploymentId: "s1" } });
    expect(listed.data?.resources).toEqual([
      expect.objectContaining({ id: created.id, name: "web", deploymentId: "s1" }),
    ]);

    const destroyed = await env.call("destroyDeployment", {
      deploymentId: "s1",
      resources: [{ ...resource, id: created.id }],
    });
    expect(destroyed.data?.results[0]?.status).toBe("succeeded");
    expect(processAlive(pid)).toBe(false);
    const gone = await env.call("getResource", { type: "local:process:service", id: created.id! });
    expect(gone).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
  });

  it("reports a service whose process died as gone", async () => {
    env = await connectLocal();
    const created = await createOne(env.call, "s2", {
      type: "local:process:service",
      name: "sleeper",
      properties: { command: "sleep 300" },
    });
    const pid = created.outputs?.pid as number;
    started.push(pid);
    expect((await env.call("getResource", { type: "local:process:service", id: created.id! })).success).toBe(
      true,
    );
    process.kill(-pid, "SIGKILL");
    await waitUntil(() => !processAlive(pid), "the service died");
    const gone = await env.call("getResource", { type: "local:process:service", id: created.id! });
    expect(gone.error?.code).toBe("NOT_FOUND");
    const listed = await env.call("listResources", { filter: { deploymentId: "s2" } });
    expect(listed.data?.resources).toEqual([]);
  });

  it("fails the create with the log tail when the service exits before its port opens", async () => {
    env = await connectLocal();
    const port = await freePort();
    const created = await createOne(env.call, "s3", {
      type: "local:process:service",
      name: "crasher",
      properties: {
        command: 'echo "cannot bind: $REASON" >&2; exit 4',
        env: { REASON: "config missing" },
        port,
      },
    });
    expect(created).toMatchObject({ status: "failed", error: { code: "INTERNAL" } });
    expect(created.error?.message).toMatch(
      /exited.*before accepting connections on 127\.0\.0\.1:\d+; log tail: cannot bind: \*\*\*/,
    );
  });

  it("refuses a port that something else already holds", async () => {
    env = await connectLocal();
    const { createServer } = await import("node:net");
    const holder = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => holder.once("listening", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const created = await createOne(env.call, "s4", {
        type: "local:process:service",
        name: "clash",
        properties: { command: "sleep 300", port },
      });
      expect(created).toMatchObject({ status: "failed", error: { code: "CONFLICT" } });
    } finally {
      holder.close();
    }
  });

  it("creates idempotently when the first response was lost", async () => {
    env = await connectLocal();
    const port = await freePort();
    const resource = {
      type: "local:process:service",
      name: "web",
      properties: { command: httpServiceCommand(port), port },
    };
    const plan = await env.call("planDeployment", { deploymentId: "s5", resources: [resource], current: [] });
    const first = await env.call("applyDeployment", { deploymentId: "s5", changes: plan.data!.changes });
    started.push(first.data?.results[0]?.outputs?.pid as number);
    // The orchestrator never saw `first` (a crash): it applies the same plan again.
    const again = await env.call("applyDeployment", { deploymentId: "s5", changes: plan.data!.changes });
    expect(again.data?.results[0]).toMatchObject({
      status: "succeeded",
      id: first.data?.results[0]?.id,
      outputs: { pid: first.data?.results[0]?.outputs?.pid },
    });
    const listed = await env.call("listResources", { filter: { deploymentId: "s5" } });
    expect(listed.data?.resources).toHaveLength(1);
    await env.call("destroyDeployment", {
      deploymentId: "s5",
      resources: [{ ...resource, id: first.data?.results[0]?.id }],
    });
  });
});
