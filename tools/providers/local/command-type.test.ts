import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectLocal, createOne } from "./test-support.ts";

describe("local:command:run", () => {
  let env: Awaited<ReturnType<typeof connectLocal>>;
  afterEach(async () => env?.close());

  it("runs create, update and delete hooks with the environment, and reports their output", async () => {
    env = await connectLocal();
    const resource = {
      type: "local:command:run",
      name: "hooks",
      properties: {
        create: 'echo "create $TOKEN" >> hooks.log && echo made && echo warn >&2',
        update: 'echo "update $MCP_IAC_COMMAND_STDOUT" >> hooks.log && echo changed',
        delete: 'echo "delete $TOKEN" >> hooks.log',
        environment: { TOKEN: "s3cr3t-value" },
      },
    };
    const created = await createOne(env.call, "c1", resource);
    expect(created).toMatchObject({
      status: "succeeded",
      outputs: { stdout: "made", stderr: "warn", exitCode: 0 },
    });
    expect(created.id).toMatch(/^cmd-/);

    // The environment is secret: what the provider reports and records holds only a digest.
    const read = await env.call("getResource", { type: "local:command:run", id: created.id! });
    expect(JSON.stringify(read)).not.toContain("s3cr3t-value");
    expect(read.data?.properties.environment).toEqual({ $secret: expect.stringMatching(/^sha256:/) });
    const recordFiles = await readFile(join(env.provider.stateDir, "records.json"), "utf8");
    expect(recordFiles).not.toContain("s3cr3t-value");

    const current = [{ ...resource, id: created.id, outputs: created.outputs }];
    const changed = {
      ...resource,
      properties: { ...resource.properties, create: `${resource.properties.create} # v2` },
    };
    const plan = await env.call("planDeployment", {
      deploymentId: "c1",
      resources: [changed],
      current,
      options: { refresh: true },
    });
    expect(plan.data?.changes[0]).toMatchObject({ action: "update" });
    const updated = await env.call("applyDeployment", { deploymentId: "c1", changes: plan.data!.changes });
    expect(updated.data?.results[0]).toMatchObject({
      status: "succeeded",
      id: created.id,
      outputs: { stdout: "changed" },
    });

    const destroyed = await env.call("destroyDeployment", {
      deploymentId: "c1",
      resources: [{ ...changed, id: created.id }],
    });
    expect(destroyed.data?.results[0]?.status).toBe("succeeded");
    expect(await readFile(join(env.cwd, "hooks.log"), "utf8")).toBe(
      "create s3cr3t-value\nupdate made\ndelete s3cr3t-value\n",
    );
    const gone = await env.call("getResource", { type: "local:command:run", id: created.id! });
    expect(gone.error?.code).toBe("NOT_FOUND");
  });

  it("replaces (delete, then create) when there is no update command", async () => {
    env = await connectLocal();
    const resource = {
      type: "local:command:run",
      name: "no-update",
      properties: { create: "echo create-1 >> r.log", delete: "echo delete >> r.log" },
    };
    const created = await createOne(env.call, "c2", resource);
    const changed = { ...resource, properties: { ...resource.properties, create: "echo create-2 >> r.log" } };
    const current = [{ ...resource, id: created.id, outputs: created.outputs }];
    const plan = await env.call("planDeployment", { deploymentId: "c2", resources: [changed], current });
    expect(plan.data?.changes[0]).toMatchObject({ action: "replace" });
    expect(plan.data?.changes[0]?.diff.every((entry) => entry.forcesReplacement)).toBe(true);
    const applied = await env.call("applyDeployment", { deploymentId: "c2", changes: plan.data!.changes });
    expect(applied.data?.results[0]?.status).toBe("succeeded");
    expect(applied.data?.results[0]?.id).not.toBe(created.id);
    expect(await readFile(join(env.cwd, "r.log"), "utf8")).toBe("create-1\ndelete\ncreate-2\n");
  });

  it("fails a change whose command exits non-zero, with the tail of stderr, and redacts secrets", async () => {
    env = await connectLocal();
    const created = await createOne(env.call, "c3", {
      type: "local:command:run",
      name: "broken",
      properties: {
        create: 'echo "no luck with $PASSWORD" >&2; exit 3',
        environment: { PASSWORD: "hunter2-long" },
      },
    });
    expect(created.status).toBe("failed");
    expect(created.error?.code).toBe("INTERNAL");
    expect(created.error?.message).toMatch(/create command exited with code 3; stderr: no luck with \*\*\*/);
    expect(JSON.stringify(created)).not.toContain("hunter2-long");
    const listed = await env.call("listResources", { filter: { deploymentId: "c3" } });
    expect(listed.data?.resources).toEqual([]);
  });

  it("stops a command that outlives timeoutMs and answers TIMEOUT", async () => {
    env = await connectLocal();
    const created = await createOne(env.call, "c4", {
      type: "local:command:run",
      name: "slow",
      properties: { create: "sleep 30; echo never", timeoutMs: 200 },
    });
    expect(created).toMatchObject({ status: "failed", error: { code: "TIMEOUT", retryable: true } });
    expect(created.error?.message).toMatch(/within 200 ms/);
  });

  it("runs in dir and refuses one that does not exist", async () => {
    env = await connectLocal();
    const missing = await createOne(env.call, "c5", {
      type: "local:command:run",
      name: "nowhere",
      properties: { create: "pwd", dir: "missing" },
    });
    expect(missing).toMatchObject({ status: "failed", error: { code: "VALIDATION_FAILED" } });
    expect(missing.error?.message).toMatch(/missing is not an existing folder/);
    const here = await createOne(env.call, "c5", {
      type: "local:command:run",
      name: "here",
      properties: { create: "pwd", dir: "." },
    });
    expect(here.outputs?.stdout).toBe(env.cwd);
  });

  it("does not run create twice when a create is applied again after a lost response", async () => {
    env = await connectLocal();
    const resource = {
      type: "local:command:run",
      name: "once",
      properties: { create: "echo ran >> once.log; echo done" },
    };
    const plan = await env.call("planDeployment", { deploymentId: "c6", resources: [resource], current: [] });
    const first = await env.call("applyDeployment", { deploymentId: "c6", changes: plan.data!.changes });
    const again = await env.call("applyDeployment", { deploymentId: "c6", changes: plan.data!.changes });
    expect(again.data?.results[0]).toMatchObject({
      status: "succeeded",
      id: first.data?.results[0]?.id,
      outputs: { stdout: "done" },
    });
    expect(await readFile(join(env.cwd, "once.log"), "utf8")).toBe("ran\n");
  });
});
