import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import type { Envelope, ListedResource } from "../../protocol/index.ts";
import { type ApplyResult, createChange, tempWorldFile } from "./test-support.ts";

const runScript = fileURLToPath(new URL("./run.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
// Node 24 runs the .ts sources directly; an older test runner goes through the project's Node.
const nodeMajor = Number(process.versions.node.split(".")[0]);
const command = nodeMajor >= 24 ? process.execPath : "npx";
const args = nodeMajor >= 24 ? [runScript] : ["node", runScript];

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {});
});

async function start(env: Record<string, string>) {
  const transport = new StdioClientTransport({ command, args, cwd: repoRoot, env, stderr: "pipe" });
  const client = new Client({ name: "mock-stdio-test", version: "0.0.0" });
  await client.connect(transport);
  clients.push(client);
  const call = async <T>(name: string, input: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: input })).structuredContent as Envelope<T>;
  return { client, transport, call };
}

describe("the mock over stdio", () => {
  it("keeps its world across restarts", async () => {
    const env = { MCP_IAC_SERVER_NAME: "aws", MOCK_WORLD_FILE: tempWorldFile("aws") };
    const first = await start(env);
    const applied = await first.call<{ results: ApplyResult[] }>("applyDeployment", {
      deploymentId: "portal",
      changes: [createChange("aws:vpc:vpc", "vpc", { cidrBlock: "10.20.0.0/16" })],
    });
    const id = applied.data?.results[0]?.id;
    expect(id).toMatch(/^vpc-0/);
    await first.client.close();

    const second = await start(env);
    const read = await second.call<{ properties: Record<string, unknown> }>("getResource", {
      type: "aws:vpc:vpc",
      id,
    });
    expect(read).toMatchObject({ success: true, data: { properties: { cidrBlock: "10.20.0.0/16" } } });
    const state = await second.call<{ resources: ListedResource[] }>("getDeploymentState", {
      deploymentId: "portal",
    });
    expect(state.data?.resources.map((entry) => entry.name)).toEqual(["vpc"]);
  });

  it("after a crash that cut off a create, a fresh server lists the resource by name", async () => {
    const worldFile = tempWorldFile("docker");
    const env = {
      MCP_IAC_SERVER_NAME: "docker",
      MOCK_WORLD_FILE: worldFile,
      MOCK_CRASH: JSON.stringify({ match: "data", op: "create", when: "after" }),
    };
    const doomed = await start(env);
    const closed = new Promise<void>((resolve) => {
      doomed.client.onclose = () => resolve();
    });
    await expect(
      doomed.call("applyDeployment", {
        deploymentId: "portal",
        changes: [createChange("docker:volume:create", "data", { driver: "local" })],
      }),
    ).rejects.toThrow();
    await closed;

    // The same environment again: the crash fired once and is not repeated.
    const fresh = await start(env);
    const listed = await fresh.call<{ resources: ListedResource[] }>("listResources", {
      filter: { deploymentId: "portal" },
    });
    expect(listed.data?.resources).toEqual([
      expect.objectContaining({
        name: "data",
        type: "docker:volume:create",
        id: "portal_data",
        managed: true,
      }),
    ]);
    const retried = await fresh.call<{ results: ApplyResult[] }>("applyDeployment", {
      deploymentId: "portal",
      changes: [createChange("docker:volume:create", "data", { driver: "local" })],
    });
    expect(retried.data?.results[0]).toMatchObject({ status: "succeeded", id: "portal_data" });
  });
});
