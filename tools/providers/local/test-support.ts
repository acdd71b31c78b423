import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Envelope, ToolData, ToolName } from "../../protocol/index.ts";
import { createLocalProvider, type LocalProviderOptions } from "./server.ts";

/** A local provider in a fresh temporary folder, connected to an SDK client in memory. */
export async function connectLocal(options: LocalProviderOptions = {}) {
  const cwd = await mkdtemp(join(tmpdir(), "mcp-iac-local-"));
  const provider = createLocalProvider({ cwd, stopGraceMs: 1_000, ...options });
  const client = await connectInMemory(provider.server());
  return {
    cwd,
    provider,
    client,
    call: <T extends ToolName>(tool: T, args: Record<string, unknown>) => callTool<T>(client, tool, args),
    async close() {
      await client.close();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

export async function connectInMemory(server: { connect(transport: InMemoryTransport): Promise<void> }) {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: "local-provider-test", version: "0.0.0" });
  await client.connect(clientTransport);
  return client;
}

/** Calls a tool and returns its envelope, typed by the tool's data. */
export async function callTool<T extends ToolName>(
  client: Client,
  tool: T,
  args: Record<string, unknown>,
): Promise<Envelope<ToolData<T>>> {
  const result = await client.callTool({ name: tool, arguments: args });
  return result.structuredContent as unknown as Envelope<ToolData<T>>;
}

/** Plans and applies one resource as a fresh create, returning the single result. */
export async function createOne(
  call: <T extends ToolName>(tool: T, args: Record<string, unknown>) => Promise<Envelope<ToolData<T>>>,
  deploymentId: string,
  resource: { type: string; name: string; properties: Record<string, unknown> },
) {
  const plan = await call("planDeployment", { deploymentId, resources: [resource], current: [] });
  if (!plan.success || !plan.data) throw new Error(`plan failed: ${JSON.stringify(plan.error)}`);
  const applied = await call("applyDeployment", { deploymentId, changes: plan.data.changes });
  if (!applied.success || !applied.data) throw new Error(`apply failed: ${JSON.stringify(applied.error)}`);
  return applied.data.results[0]!;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A node one-liner serving "ok" over HTTP on 127.0.0.1:port. */
export function httpServiceCommand(port: number): string[] {
  return [
    process.execPath,
    "-e",
    `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1"); console.log("listening on ${port}")`,
  ];
}

export function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
