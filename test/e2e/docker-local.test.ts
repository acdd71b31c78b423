import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BusyboxContext,
  busyboxMissing,
  createBusyboxContext,
  freePort,
  httpdCommand,
  WELCOME_TEXT,
} from "../docker/busybox-image.ts";
import { ensureDockerEngine } from "../docker/engine.ts";
import { agent, json, writeSpec } from "./harness.ts";

/**
 * The real Docker provider and the local provider through the real binary: one spec builds an image,
 * runs two web containers on loopback ports, writes a file naming both and serves it from a local
 * service; destroy then leaves no container, image, file or process of ours behind.
 */

const engine = busyboxMissing() ? { skipped: busyboxMissing() as string } : await ensureDockerEngine();
if ("skipped" in engine) console.warn(`docker + local end-to-end test skipped: ${engine.skipped}`);

function dockerFor(host: string): Docker {
  if (host.startsWith("unix://")) return new Docker({ socketPath: host.slice("unix://".length) });
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return new Docker({ host: url.hostname, port: Number(url.port), protocol: "http" });
}

/** Whether anything accepts a TCP connection on 127.0.0.1:port right now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Processes on this machine (containers' included) whose command line names 127.0.0.1:port. */
function processesOnPort(port: number): string[] {
  const needle = `127.0.0.1:${port}`;
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      if (cmdline.includes(needle)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe.skipIf("skipped" in engine)("docker + local providers end to end", () => {
  const suffix = randomBytes(3).toString("hex");
  const deployment = `web-pair-${suffix}`;
  const label = `mcp-iac.deployment=${deployment}`;
  let dir = "";
  let context: BusyboxContext | undefined;
  let docker: Docker;
  let env: Record<string, string> = {};
  const ports: number[] = [];

  beforeAll(async () => {
    if ("skipped" in engine) return;
    docker = dockerFor(engine.host);
    env = { DOCKER_HOST: engine.host, DOCKER_PROVIDER_PULL: "never" };
    dir = mkdtempSync(join(tmpdir(), "mcp-iac-docker-local-"));
    context = await createBusyboxContext();
    // Three distinct free ports: freePort may hand the same one twice once it is released.
    while (ports.length < 3) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    writeFileSync(
      join(dir, "mcp-iac.config.yaml"),
      [
        "mcpServers:",
        "  docker: { builtin: docker }",
        "  local: { builtin: local }",
        "policies: [builtin:baseline]",
        "state: { backend: file }",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    if ("skipped" in engine) return;
    // Whatever a failed run left: containers and images of this deployment, then the folders.
    const filters = { label: [label] };
    for (const info of await docker.listContainers({ all: true, filters }).catch(() => []))
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => {});
    for (const info of await docker.listImages({ filters }).catch(() => []))
      await docker
        .getImage(info.Id)
        .remove({ force: true })
        .catch(() => {});
    await context?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await engine.stop();
  });

  it("applies the spec, serves both sites and writes the file naming them", async () => {
    const [port1, port2, port3] = ports as [number, number, number];
    const url1 = `http://127.0.0.1:${port1}/`;
    const url2 = `http://127.0.0.1:${port2}/`;
    const siteUrl = `http://127.0.0.1:${port3}/endpoints.txt`;
    const web = (port: number) => ({
      type: "docker:container:run",
      properties: { image: "${web-image.id}", command: httpdCommand(port), network: "host" },
      checks: [{ http: `http://127.0.0.1:${port}/`, expect: 200 }],
    });
    writeSpec(dir, "spec.yaml", {
      apiVersion: "iac.mcp/v1",
      kind: "Deployment",
      metadata: { name: deployment },
      spec: {
        resources: [
          {
            type: "docker:image:build",
            name: "web-image",
            properties: { context: context?.dir, tags: [`mcp-iac-e2e-web:${suffix}`] },
          },
          { name: "web-1", ...web(port1) },
          { name: "web-2", ...web(port2) },
          {
            type: "local:file:file",
            name: "endpoints",
            properties: {
              path: "site/endpoints.txt",
              content: `web1=${url1} id=\${web-1.id}\nweb2=${url2} id=\${web-2.id}\n`,
            },
          },
          {
            type: "local:process:service",
            name: "endpoints-site",
            dependsOn: ["endpoints"],
            properties: {
              command: ["/bin/busybox", "httpd", "-f", "-p", `127.0.0.1:${port3}`, "-h", "site"],
              port: port3,
            },
            checks: [{ http: siteUrl, expect: 200 }],
          },
        ],
      },
    });

    const providers = await agent(["providers", "--json"], dir, env);
    expect(providers.exitCode, providers.stderr).toBe(0);
    const servers = json<{ servers: { name: string; ok: boolean; types?: string[] }[] }>(providers).servers;
    expect(servers.map((server) => [server.name, server.ok])).toEqual([
      ["docker", true],
      ["local", true],
    ]);

    const applied = await agent(["apply", "-f", "spec.yaml", "--yes"], dir, env);
    expect(applied.exitCode, `${applied.stdout}\n${applied.stderr}`).toBe(0);

    for (const url of [url1, url2]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      expect(await response.text()).toBe(WELCOME_TEXT);
    }

    // What the destroy test will look for is there now: listeners and their processes.
    for (const port of ports) {
      expect(await accepts(port), `nothing accepts on ${port}`).toBe(true);
      expect(processesOnPort(port).length, `no process names port ${port}`).toBeGreaterThan(0);
    }

    const running = await docker.listContainers({ filters: { label: [label] } });
    expect(running).toHaveLength(2);
    const ids = Object.fromEntries(running.map((info) => [info.Labels["mcp-iac.name"], info.Id]));
    const expected = `web1=${url1} id=${ids["web-1"]}\nweb2=${url2} id=${ids["web-2"]}\n`;
    expect(readFileSync(join(dir, "site", "endpoints.txt"), "utf8")).toBe(expected);
    // The same file through the local service that the spec started.
    const site = await fetch(siteUrl);
    expect(await site.text()).toBe(expected);

    const images = await docker.listImages({ filters: { label: [label] } });
    expect(images).toHaveLength(1);
    expect(images[0]?.RepoTags).toContain(`mcp-iac-e2e-web:${suffix}`);

    const shown = json<{ state: { resources: Record<string, { server: string }> } }>(
      await agent(["state", "show", deployment, "--json"], dir, env),
    );
    expect(
      Object.entries(shown.state.resources)
        .map(([name, record]) => `${name}@${record.server}`)
        .sort(),
    ).toEqual([
      "endpoints-site@local",
      "endpoints@local",
      "web-1@docker",
      "web-2@docker",
      "web-image@docker",
    ]);
  });

  it("ships a new image to the running containers: built first, containers moved, old image deleted", async () => {
    const [port1, port2] = ports as [number, number, number];
    const before = await docker.listImages({ filters: { label: [label] } });
    expect(before).toHaveLength(1);
    // A changed Dockerfile: the image must be rebuilt, and the containers running it replaced.
    const dockerfile = join(context!.dir, "Dockerfile");
    writeFileSync(dockerfile, `${readFileSync(dockerfile, "utf8")}LABEL release=${suffix}-2\n`);

    const shipped = await agent(["apply", "-f", "spec.yaml", "--yes"], dir, env);
    expect(shipped.exitCode, `${shipped.stdout}\n${shipped.stderr}`).toBe(0);
    expect(shipped.stdout).toMatch(
      /web-image \(docker:image:build\) must be replaced \(create before destroy/,
    );

    const images = await docker.listImages({ filters: { label: [label] } });
    expect(images.map((image) => image.Id)).not.toContain(before[0]!.Id);
    expect(images).toHaveLength(1);
    const running = await docker.listContainers({ filters: { label: [label] } });
    expect(running.map((info) => info.ImageID)).toEqual([images[0]!.Id, images[0]!.Id]);
    for (const port of [port1, port2]) expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it("destroys it all: no container, image, file or process of ours is left", async () => {
    const destroyed = await agent(["destroy", deployment, "--yes"], dir, env);
    expect(destroyed.exitCode, `${destroyed.stdout}\n${destroyed.stderr}`).toBe(0);
    expect(destroyed.stdout).toContain("5 resource(s) destroyed");

    expect(await docker.listContainers({ all: true, filters: { label: [label] } })).toEqual([]);
    expect(await docker.listImages({ filters: { label: [label] } })).toEqual([]);
    expect(existsSync(join(dir, "site", "endpoints.txt"))).toBe(false);
    for (const port of ports) {
      expect(await accepts(port), `something still accepts on ${port}`).toBe(false);
      expect(processesOnPort(port)).toEqual([]);
    }

    const shown = await agent(["state", "show", deployment, "--json"], dir, env);
    const state = shown.exitCode === 0 ? json<{ state: { resources: object } }>(shown).state : undefined;
    expect(state ? Object.keys(state.resources) : []).toEqual([]);
  });
});
