import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectLocal, createOne } from "./test-support.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("local:file:file", () => {
  let env: Awaited<ReturnType<typeof connectLocal>>;
  afterEach(async () => env?.close());

  it("creates a file with content, mode and hash, updates it in place, and deletes it", async () => {
    env = await connectLocal();
    const resource = {
      type: "local:file:file",
      name: "conf",
      properties: { path: "etc/app.conf", content: "a=1\n", mode: "0600" },
    };
    const created = await createOne(env.call, "d1", resource);
    const path = join(env.cwd, "etc/app.conf");
    expect(created).toMatchObject({
      status: "succeeded",
      id: path,
      outputs: { id: path, sha256: sha("a=1\n") },
    });
    expect(await readFile(path, "utf8")).toBe("a=1\n");
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const current = [{ ...resource, id: path, outputs: created.outputs, status: "created" }];
    const desired = { ...resource, properties: { ...resource.properties, content: "a=2\n", mode: "0640" } };
    const plan = await env.call("planDeployment", {
      deploymentId: "d1",
      resources: [desired],
      current,
      options: { refresh: true },
    });
    expect(plan.data?.changes[0]).toMatchObject({ action: "update", id: path });
    const applied = await env.call("applyDeployment", { deploymentId: "d1", changes: plan.data!.changes });
    expect(applied.data?.results[0]).toMatchObject({
      status: "succeeded",
      id: path,
      outputs: { sha256: sha("a=2\n") },
    });
    expect(await readFile(path, "utf8")).toBe("a=2\n");
    expect((await stat(path)).mode & 0o777).toBe(0o640);

    const read = await env.call("getResource", { type: "local:file:file", id: path });
    expect(read.data).toMatchObject({
      properties: desired.properties,
      outputs: { hash: `sha256:${sha("a=2\n")}` },
    });

    const destroyed = await env.call("destroyDeployment", { deploymentId: "d1", resources: current });
    expect(destroyed.data?.results[0]?.status).toBe("succeeded");
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    const gone = await env.call("getResource", { type: "local:file:file", id: path });
    expect(gone).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
  });

  it("replaces the file when its path changes", async () => {
    env = await connectLocal();
    const resource = { type: "local:file:file", name: "f", properties: { path: "one.txt", content: "x" } };
    const created = await createOne(env.call, "d2", resource);
    const moved = { ...resource, properties: { path: "two.txt", content: "x" } };
    const current = [{ ...resource, id: created.id, outputs: created.outputs }];
    const plan = await env.call("planDeployment", { deploymentId: "d2", resources: [moved], current });
    expect(plan.data?.changes[0]).toMatchObject({ action: "replace" });
    expect(plan.data?.changes[0]?.diff).toContainEqual(
      expect.objectContaining({ path: "path", forcesReplacement: true }),
    );
    const applied = await env.call("applyDeployment", { deploymentId: "d2", changes: plan.data!.changes });
    expect(applied.data?.results[0]).toMatchObject({ status: "succeeded", id: join(env.cwd, "two.txt") });
    await expect(stat(join(env.cwd, "one.txt"))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(env.cwd, "two.txt"), "utf8")).toBe("x");
  });

  it("refuses a relative path that leaves the working folder, and says why", async () => {
    env = await connectLocal();
    const validated = await env.call("validateConfig", {
      resources: [
        { type: "local:file:file", name: "escape", properties: { path: "../outside.txt", content: "" } },
      ],
    });
    expect(validated.data?.valid).toBe(false);
    expect(validated.data?.issues[0]).toMatchObject({ resource: "escape", path: "properties.path" });
    expect(validated.data?.issues[0]?.message).toMatch(/outside the working folder.*absolute path/);
  });

  it("shows drift when the file is edited behind its back", async () => {
    env = await connectLocal();
    const resource = {
      type: "local:file:file",
      name: "drift",
      properties: { path: "d.txt", content: "mine" },
    };
    const created = await createOne(env.call, "d3", resource);
    await writeFile(created.id!, "theirs");
    const current = [{ ...resource, id: created.id, outputs: created.outputs }];
    const plan = await env.call("planDeployment", {
      deploymentId: "d3",
      resources: [resource],
      current,
      options: { refresh: true },
    });
    expect(plan.data?.changes[0]).toMatchObject({ action: "update" });
    expect(plan.data?.changes[0]?.diff).toEqual([
      { path: "content", before: "theirs", after: "mine", forcesReplacement: false },
    ]);
  });
});
