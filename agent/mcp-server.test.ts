import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPolicies } from "../policies/index.ts";
import { createMockProvider } from "../tools/providers/mock/provider.ts";
import { inProcessGateway } from "./engine/in-process-gateway.ts";
import { createAgentMcpServer } from "./mcp-server.ts";
import { SecretScrubber } from "./secrets.ts";
import { createFileBackend } from "./state/index.ts";

const PREFIXES = ["opnsense", "aws"];

const SPEC = {
  name: "shop",
  resources: [
    { type: "opnsense:network:vlan", name: "net", properties: { tag: 150, interface: "igc2" } },
    {
      type: "aws:rds:instance",
      name: "db",
      properties: {
        engine: "postgres",
        instanceClass: "db.t3.micro",
        allocatedStorage: 20,
        backupRetentionDays: 7,
        publiclyAccessible: false,
        password: "s3cret-Passw0rd",
      },
    },
  ],
};

type Result = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: unknown };

describe("agent mcp, as a model sees it", () => {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-agent-mcp-"));
  const mocks = new Map(
    PREFIXES.map((prefix) => [
      prefix,
      createMockProvider({ env: {}, mountName: prefix, worldFile: join(dir, `${prefix}.world.json`) }),
    ]),
  );
  const client = new Client({ name: "test", version: "0" });
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as Result;

  beforeAll(async () => {
    const server = createAgentMcpServer({
      workspace: (emit) => ({
        gateway: inProcessGateway(mocks),
        state: createFileBackend(join(dir, ".mcp-iac")),
        emit,
      }),
      servers: PREFIXES,
      policies: await loadPolicies(["builtin:baseline"], { cwd: dir }),
      allowApply: true,
      scrubber: new SecretScrubber(),
      version: "0.0.0",
    });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    await client.connect(a);
  });
  afterAll(async () => {
    await client.close();
    for (const mock of mocks.values()) mock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists and describes resource types, with a clear description on every tool", async () => {
    const tools = (await client.listTools()).tools;
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(["list_resource_types", "describe_resource_type", "plan", "state_show"]),
    );
    for (const tool of tools) expect(tool.description?.length ?? 0).toBeGreaterThan(60);
    const listed = await call("list_resource_types", { query: "database" });
    expect(listed.isError).toBeFalsy();
    const types = (listed.structuredContent as { result: { type: string }[] }).result.map((t) => t.type);
    expect(types).toContain("aws:rds:instance");
    expect(types).not.toContain("opnsense:network:vlan");
    const described = await call("describe_resource_type", { type: "aws:rds:instance" });
    const info = (described.structuredContent as { result: { properties: { properties: object } } }).result;
    expect(Object.keys(info.properties.properties)).toContain("publiclyAccessible");
    const unknown = await call("describe_resource_type", { type: "aws:rds:nope" });
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0]!.text).toMatch(
      /no configured server describes the type aws:rds:nope; aws offers/,
    );
  });

  it("answers a plan with one copy of the plan, and a blocked plan or destroy as an error", async () => {
    const planned = await call("plan", { spec: SPEC });
    expect(planned.isError).toBeFalsy();
    expect(planned.content).toHaveLength(1);
    expect(planned.content[0]!.text.split('"summary"').length - 1).toBe(1);

    const unsafe = structuredClone(SPEC);
    unsafe.resources[1]!.properties["publiclyAccessible"] = true;
    const blocked = await call("plan", { spec: unsafe });
    expect(blocked.isError).toBe(true);
    expect(blocked.content[0]!.text).toMatch(/^blocked by 1 mandatory policy finding/);

    expect((await call("apply", { spec: SPEC })).isError).toBeFalsy();
    const destroy = await call("destroy", { name: "shop" });
    expect(destroy.isError).toBe(true);
    expect(destroy.content[0]!.text).toMatch(/stateful-change-approval/);
  });

  it("says a missing deployment is an error, naming what to do", async () => {
    const missing = await call("state_show", { name: "nothing-here" });
    expect(missing.isError).toBe(true);
    expect(missing.content[0]!.text).toMatch(/no deployment named nothing-here in state; state_list/);
  });
});
