import { fileURLToPath } from "node:url";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDockerEngine } from "../../../test/docker/engine.ts";
import { connectClient, inMemoryClient, type ProviderClient } from "../../../test/docker/mcp-client.ts";
import { createDockerProvider } from "./server.ts";

const RUN = fileURLToPath(new URL("./run.ts", import.meta.url));
const NOWHERE = "unix:///nonexistent.sock";
const EXPECTED = `no Docker engine answers at ${NOWHERE}; start one (e.g. \`dockerd\`) or set DOCKER_HOST`;

/** The provider as the CLI runs it: a child process speaking MCP on stdio. */
async function stdioClient(env: Record<string, string>): Promise<ProviderClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [RUN],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  return connectClient(transport);
}

describe("docker provider without an engine", () => {
  it("answers the engine tools with UNAVAILABLE and says how to fix it", async () => {
    const client = await inMemoryClient(createDockerProvider({ dockerHost: NOWHERE }).server());
    try {
      for (const [tool, args] of [
        ["listResources", {}],
        ["getResource", { type: "docker:container:run", id: "abc" }],
        ["planDeployment", { deploymentId: "d", resources: [], current: [] }],
        ["applyDeployment", { deploymentId: "d", changes: [] }],
        ["destroyDeployment", { deploymentId: "d", resources: [] }],
        ["getDeploymentState", { deploymentId: "d" }],
        ["createSnapshot", { deploymentId: "d" }],
        ["rollbackToSnapshot", { snapshotId: "s" }],
      ] as const) {
        const envelope = await client.call(tool, args);
        expect(envelope.success, tool).toBe(false);
        expect(envelope.error, tool).toMatchObject({
          code: "UNAVAILABLE",
          message: EXPECTED,
          retryable: true,
        });
      }
    } finally {
      await client.close();
    }
  });

  it("describes its types and validates specs with no engine", async () => {
    const client = await inMemoryClient(createDockerProvider({ dockerHost: NOWHERE }).server());
    try {
      const described = await client.ok("describeResourceTypes");
      expect(described.protocol).toBe("iac.mcp/v1");
      expect(described.types.map((info: { type: string }) => info.type).sort()).toEqual([
        "docker:container:run",
        "docker:image:build",
        "docker:network:create",
        "docker:volume:create",
      ]);
      const checked = await client.ok("validateConfig", {
        resources: [
          { type: "docker:container:run", name: "ok", properties: { image: "web:1", network: "host" } },
          {
            type: "docker:container:run",
            name: "bad",
            properties: { image: "web:1", network: "host", ports: ["8080:80"] },
          },
        ],
      });
      expect(checked.valid).toBe(false);
      expect(checked.issues).toEqual([
        expect.objectContaining({ resource: "bad", path: "properties.ports", severity: "error" }),
      ]);
    } finally {
      await client.close();
    }
  });

  it("needs exactly one of an image's context and dockerfileInline, and says which", async () => {
    const client = await inMemoryClient(createDockerProvider({ dockerHost: NOWHERE }).server());
    const image = (name: string, properties: Record<string, unknown>) => ({
      type: "docker:image:build",
      name,
      properties,
    });
    try {
      const checked = await client.ok("validateConfig", {
        resources: [
          image("inline", { dockerfileInline: "FROM scratch\nLABEL a=b", tags: ["x:1"] }),
          image("later", { dockerfileInline: { $unknown: "${upstream.text}" } }),
          image("neither", { tags: ["x:1"] }),
          image("both", { context: ".", dockerfileInline: "FROM scratch" }),
          image("named-file", { dockerfileInline: "FROM scratch", dockerfile: "Other.Dockerfile" }),
        ],
      });
      expect(checked.valid).toBe(false);
      expect(checked.issues).toEqual([
        expect.objectContaining({
          resource: "neither",
          path: "properties.context",
          message: expect.stringContaining("context) or Dockerfile text (dockerfileInline)"),
        }),
        expect.objectContaining({
          resource: "both",
          path: "properties.context",
          message: expect.stringContaining("not both"),
        }),
        expect.objectContaining({ resource: "named-file", path: "properties.dockerfile" }),
      ]);
    } finally {
      await client.close();
    }
  });

  it("reads DOCKER_HOST when run as a stdio server", async () => {
    const client = await stdioClient({ DOCKER_HOST: NOWHERE });
    try {
      const envelope = await client.call("listResources", {});
      expect(envelope.error).toMatchObject({ code: "UNAVAILABLE", message: EXPECTED });
      expect(envelope.metadata.server).toBe("docker");
    } finally {
      await client.close();
    }
  });
});

const engine = await ensureDockerEngine();
if ("skipped" in engine) console.warn(`docker stdio test skipped: ${engine.skipped}`);

describe.skipIf("skipped" in engine)("docker provider over stdio with an engine", () => {
  afterAll(async () => {
    if (!("skipped" in engine)) await engine.stop();
  });

  it("describes its types through a real child process", async () => {
    if ("skipped" in engine) return;
    const client = await stdioClient({ DOCKER_HOST: engine.host, DOCKER_PROVIDER_PULL: "never" });
    try {
      const data = await client.ok("describeResourceTypes");
      expect(data.protocol).toBe("iac.mcp/v1");
      expect(data.types).toHaveLength(4);
      const listed = await client.ok("listResources", {
        filter: { deploymentId: "nobody-has-this-deployment" },
      });
      expect(listed.resources).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
