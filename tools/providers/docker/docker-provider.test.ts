import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  busyboxMissing,
  createBusyboxContext,
  fetchWhenUp,
  freePort,
  httpdCommand,
  WELCOME_TEXT,
} from "../../../test/docker/busybox-image.ts";
import { ensureDockerEngine } from "../../../test/docker/engine.ts";
import { inMemoryClient, type ProviderClient } from "../../../test/docker/mcp-client.ts";
import { createDockerProvider } from "./server.ts";

const engine = await ensureDockerEngine();
const skipReason = "skipped" in engine ? engine.skipped : busyboxMissing();
if (skipReason) console.warn(`docker provider tests skipped: ${skipReason}`);

interface StateEntry {
  type: string;
  name: string;
  id: string;
  properties: Record<string, unknown>;
  outputs: Record<string, unknown>;
  status: string;
}

interface Change {
  name: string;
  action: string;
  id?: string;
  diff: { path: string; forcesReplacement: boolean }[];
}

const SECRET = "s3cr3t-token-value-9f2c";

describe.skipIf(Boolean(skipReason))("docker provider on a real engine", () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const deploymentId = `it-${suffix}`;
  const tag = `mcp-iac-test-${suffix}:1`;
  let docker: Docker;
  let client: ProviderClient;
  let contextDir: string;
  let cleanupContext: () => Promise<void>;
  let stateDir: string;
  let state: StateEntry[] = [];
  let port: number;

  const imageResource = () => ({
    type: "docker:image:build",
    name: "web-image",
    properties: { context: contextDir, tags: [tag] },
  });
  const webResource = (listenPort: number, restart = "no") => ({
    type: "docker:container:run",
    name: "web",
    properties: {
      image: tag,
      command: httpdCommand(listenPort),
      network: "host",
      env: { SECRET_TOKEN: SECRET, PORT: listenPort },
      labels: { team: "qa" },
      restart,
    },
  });

  async function plan(resources: unknown[]): Promise<Change[]> {
    const data = await client.ok("planDeployment", {
      deploymentId,
      resources,
      current: state,
      options: { refresh: true },
    });
    return data.changes as Change[];
  }

  /** Plans and applies, keeping `state` the way an orchestrator would. */
  async function apply(resources: { type: string; name: string; properties: Record<string, unknown> }[]) {
    const changes = await plan(resources);
    // One at a time in list order, as the orchestrator's graph would order an image before its container.
    const envelope = await client.call("applyDeployment", {
      deploymentId,
      changes,
      options: { parallelism: 1 },
    });
    expect(JSON.stringify(envelope)).not.toContain(SECRET);
    expect(envelope.success, JSON.stringify(envelope.error)).toBe(true);
    const results = envelope.data.results as {
      name: string;
      status: string;
      id?: string;
      outputs?: Record<string, unknown>;
    }[];
    for (const result of results) expect(result.status, JSON.stringify(result)).toBe("succeeded");
    state = resources.map((resource) => {
      const result = results.find((entry) => entry.name === resource.name)!;
      return { ...resource, id: result.id!, outputs: result.outputs ?? {}, status: "created" };
    });
    return { changes, results };
  }

  const idOf = (name: string) => state.find((entry) => entry.name === name)!.id;

  beforeAll(async () => {
    if (skipReason || "skipped" in engine) return;
    docker = new Docker({ socketPath: engine.host.replace("unix://", "") });
    ({ dir: contextDir, cleanup: cleanupContext } = await createBusyboxContext());
    stateDir = await mkdtemp(join(tmpdir(), "mcp-iac-docker-state-"));
    client = await inMemoryClient(
      createDockerProvider({ dockerHost: engine.host, stateDir, pull: false }).server(),
    );
    port = await freePort();
  });

  afterAll(async () => {
    if (skipReason || "skipped" in engine) return;
    // Leave the engine clean even when a test failed half-way.
    const filters = { label: [`mcp-iac.deployment=${deploymentId}`] };
    for (const info of await docker.listContainers({ all: true, filters })) {
      await docker.getContainer(info.Id).remove({ force: true });
    }
    for (const info of await docker.listImages({ filters }))
      await docker.getImage(info.Id).remove({ force: true });
    for (const info of await docker.listNetworks({ filters })) await docker.getNetwork(info.Id).remove();
    for (const info of (await docker.listVolumes({ filters })).Volumes ?? [])
      await docker.getVolume(info.Name).remove();
    await client?.close();
    await cleanupContext?.();
    await rm(stateDir, { recursive: true, force: true });
    await engine.stop();
  });

  it("describes its four types with env as a secret property", async () => {
    const data = await client.ok("describeResourceTypes");
    const types = data.types.map((info: { type: string }) => info.type);
    expect(types).toEqual([
      "docker:image:build",
      "docker:container:run",
      "docker:network:create",
      "docker:volume:create",
    ]);
    const container = data.types.find((info: { type: string }) => info.type === "docker:container:run");
    expect(container.secretProperties).toEqual(["env"]);
    expect(container.replaceOnChange).not.toContain("restart");
  });

  it("rejects bad ports, mounts and reserved labels with the path named", async () => {
    const data = await client.ok("validateConfig", {
      resources: [
        {
          type: "docker:container:run",
          name: "bad",
          properties: {
            image: tag,
            ports: ["80:eighty"],
            mounts: ["no-target"],
            labels: { "mcp-iac.name": "x" },
          },
        },
        { type: "docker:image:build", name: "nowhere", properties: { context: "./does-not-exist-here" } },
      ],
    });
    expect(data.valid).toBe(false);
    const paths = data.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "properties.ports[0]",
        "properties.mounts[0]",
        "properties.labels.mcp-iac.name",
        "properties.context",
      ]),
    );
  });

  it("builds an image FROM scratch and runs a container that serves HTTP on loopback", async () => {
    const { results } = await apply([imageResource(), webResource(port)]);
    const image = results.find((result) => result.name === "web-image")!;
    expect(image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.outputs?.id).toBe(image.id);
    const web = results.find((result) => result.name === "web")!;
    expect(web.outputs).toMatchObject({ id: web.id, ip: "127.0.0.1", state: "running" });
    const page = await fetchWhenUp(`http://127.0.0.1:${port}/index.html`);
    expect(page).toEqual({ status: 200, body: WELCOME_TEXT });
  });

  it("labels what it creates with the deployment, the name and the type", async () => {
    const container = await docker.getContainer(idOf("web")).inspect();
    expect(container.Config.Labels).toMatchObject({
      "managed-by": "mcp-iac",
      "mcp-iac.deployment": deploymentId,
      "mcp-iac.name": "web",
      "mcp-iac.type": "docker:container:run",
      team: "qa",
    });
    expect(container.Config.Labels["mcp-iac.spec"]).not.toContain(SECRET);
    const image = await docker.getImage(idOf("web-image")).inspect();
    expect(image.Config.Labels).toMatchObject({
      "managed-by": "mcp-iac",
      "mcp-iac.type": "docker:image:build",
    });
  });

  it("reads live containers without revealing env values", async () => {
    const envelope = await client.call("getResource", { type: "docker:container:run", id: idOf("web") });
    expect(envelope.success).toBe(true);
    expect(JSON.stringify(envelope)).not.toContain(SECRET);
    expect(envelope.data.properties.env).toEqual({ $secret: expect.stringMatching(/^sha256:/) });
  });

  it("plans nothing to do right after apply, against the live engine", async () => {
    const changes = await plan([imageResource(), webResource(port)]);
    expect(changes.map((change) => [change.name, change.action])).toEqual([
      ["web-image", "noop"],
      ["web", "noop"],
    ]);
  });

  it("updates the restart policy in place", async () => {
    const before = idOf("web");
    const { changes } = await apply([imageResource(), webResource(port, "unless-stopped")]);
    expect(changes.find((change) => change.name === "web")).toMatchObject({
      action: "update",
      diff: [{ path: "restart", forcesReplacement: false }],
    });
    expect(idOf("web")).toBe(before);
    const info = await docker.getContainer(before).inspect();
    expect(info.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    const again = await plan([imageResource(), webResource(port, "unless-stopped")]);
    expect(again.every((change) => change.action === "noop")).toBe(true);
  });

  it("replaces the container when its command changes", async () => {
    const before = idOf("web");
    port = await freePort();
    const { changes } = await apply([imageResource(), webResource(port, "unless-stopped")]);
    const web = changes.find((change) => change.name === "web")!;
    expect(web.action).toBe("replace");
    expect(web.diff.find((entry) => entry.path === "command")?.forcesReplacement).toBe(true);
    expect(idOf("web")).not.toBe(before);
    const gone = await client.call("getResource", { type: "docker:container:run", id: before });
    expect(gone.error?.code).toBe("NOT_FOUND");
    expect((await fetchWhenUp(`http://127.0.0.1:${port}/`)).body).toBe(WELCOME_TEXT);
  });

  it("sees a container deleted behind its back, and a rollback brings it back", async () => {
    const snapshot = await client.ok("createSnapshot", { deploymentId });
    expect(snapshot.resources.map((entry: { name: string }) => entry.name).sort()).toEqual([
      "web",
      "web-image",
    ]);
    const stored = await readFile(join(stateDir, "snapshots.json"), "utf8");
    expect(stored).toContain(snapshot.snapshotId);
    expect(stored).not.toContain(SECRET);

    await docker.getContainer(idOf("web")).remove({ force: true });
    const drift = await plan([imageResource(), webResource(port, "unless-stopped")]);
    expect(drift.find((change) => change.name === "web")?.action).toBe("create");

    const rollback = await client.ok("rollbackToSnapshot", { snapshotId: snapshot.snapshotId });
    expect(rollback).toEqual({ restored: ["web"], deleted: [] });
    const listed = await client.ok("listResources", {
      filter: { deploymentId, type: "docker:container:run" },
    });
    expect(listed.resources).toHaveLength(1);
    const back = await docker.getContainer(listed.resources[0].id).inspect();
    expect(back.Config.Env).toContain(`SECRET_TOKEN=${SECRET}`);
    expect(back.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
    expect((await fetchWhenUp(`http://127.0.0.1:${port}/`)).body).toBe(WELCOME_TEXT);
    state = state.map((entry) => (entry.name === "web" ? { ...entry, id: listed.resources[0].id } : entry));
  });

  it("lists containers it does not manage, for import, only when no deployment is asked", async () => {
    const stranger = await docker.createContainer({
      Image: tag,
      Cmd: ["/bin/busybox", "true"],
      name: `stranger-${suffix}`,
    });
    try {
      const all = await client.ok("listResources", { filter: { type: "docker:container:run" } });
      const found = all.resources.find((entry: { id: string }) => entry.id === stranger.id);
      // It inherits our image's labels, yet is not ours: the type label tells them apart.
      expect(found).toMatchObject({
        managed: false,
        properties: { image: tag, command: ["/bin/busybox", "true"] },
      });
      expect(all.resources.find((entry: { id: string }) => entry.id === idOf("web"))).toMatchObject({
        managed: true,
        name: "web",
        deploymentId,
      });
      const ours = await client.ok("listResources", { filter: { deploymentId } });
      expect(ours.resources.map((entry: { id: string }) => entry.id)).not.toContain(stranger.id);
    } finally {
      await stranger.remove({ force: true });
    }
  });

  it("creates an internal network and a volume, and a container with no network that mounts the volume", async () => {
    const subnet = `127.77.${Math.floor(Math.random() * 250) + 1}.0/24`;
    const extra = [
      {
        type: "docker:network:create",
        name: "backplane",
        properties: { driver: "bridge", internal: true, subnet },
      },
      { type: "docker:volume:create", name: "data", properties: { driver: "local" } },
    ];
    const { results } = await apply([imageResource(), webResource(port, "unless-stopped"), ...extra]);
    const volume = results.find((result) => result.name === "data")!;
    expect(volume.id).toBe(`${deploymentId}-data`);
    const network = await docker.getNetwork(idOf("backplane")).inspect();
    expect(network).toMatchObject({
      Internal: true,
      Driver: "bridge",
      Labels: { "mcp-iac.deployment": deploymentId },
    });
    const worker = {
      type: "docker:container:run",
      name: "worker",
      properties: {
        image: tag,
        command: "/bin/busybox sleep 3600",
        network: "none",
        mounts: [`${volume.id}:/data`],
      },
    };
    const all = [imageResource(), webResource(port, "unless-stopped"), ...extra, worker];
    const { results: second } = await apply(all);
    expect(second.find((result) => result.name === "worker")?.outputs).toMatchObject({
      ip: "",
      state: "running",
    });
    const changes = await plan(all);
    expect(changes.filter((change) => change.action !== "noop")).toEqual([]);
  });

  it("shows an edited build context as a change that rebuilds the image", async () => {
    const current = state.map(({ type, name, properties }) => ({ type, name, properties }));
    await writeFile(join(contextDir, "www", "extra.html"), "new page\n");
    try {
      const changes = await plan(current);
      const image = changes.find((change) => change.name === "web-image")!;
      expect(image.action).toBe("replace");
      expect(image.diff.map((entry) => entry.path)).toEqual(["context"]);
    } finally {
      await rm(join(contextDir, "www", "extra.html"));
    }
    expect((await plan(current)).every((change) => change.action === "noop")).toBe(true);
  });

  it("fails a container that cannot start without leaving it behind or echoing its env", async () => {
    const broken = {
      type: "docker:container:run",
      name: "broken",
      properties: {
        image: tag,
        command: ["/no/such/binary"],
        network: "none",
        env: { SECRET_TOKEN: SECRET },
      },
    };
    const changes = await client.ok("planDeployment", { deploymentId, resources: [broken], current: [] });
    const envelope = await client.call("applyDeployment", { deploymentId, changes: changes.changes });
    const result = envelope.data.results[0];
    expect(result.status).toBe("failed");
    expect(result.error.message).toMatch(/starting container .*broken/);
    expect(JSON.stringify(envelope)).not.toContain(SECRET);
    const left = await docker.listContainers({ all: true, filters: { label: ["mcp-iac.name=broken"] } });
    expect(left).toEqual([]);
  });

  it("destroys everything it made, leaving no container, image, network or volume of the deployment", async () => {
    const ordered = ["worker", "web", "data", "backplane", "web-image"].map(
      (name) => state.find((entry) => entry.name === name)!,
    );
    const data = await client.ok("destroyDeployment", { deploymentId, resources: ordered });
    expect(data.results.map((result: { status: string }) => result.status)).toEqual(
      Array(5).fill("succeeded"),
    );
    const label = [`mcp-iac.deployment=${deploymentId}`];
    expect(await docker.listContainers({ all: true, filters: { label } })).toEqual([]);
    expect(await docker.listImages({ filters: { label } })).toEqual([]);
    expect(await docker.listNetworks({ filters: { label } })).toEqual([]);
    expect((await docker.listVolumes({ filters: { label } })).Volumes ?? []).toEqual([]);
    expect((await docker.listImages()).flatMap((image) => image.RepoTags ?? [])).not.toContain(tag);
    const left = await client.ok("getDeploymentState", { deploymentId });
    expect(left.resources).toEqual([]);
  });
});
