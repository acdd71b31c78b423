import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { ProviderUnavailableError } from "../../tools/client/errors.ts";
import type { Envelope, ToolArguments, ToolData, ToolName } from "../../tools/protocol/index.ts";
import { createMockProvider, type MockProvider } from "../../tools/providers/mock/provider.ts";
import type { RunEvent } from "../events.ts";
import { createFileBackend, type StateBackend } from "../state/index.ts";
import type { ProviderGateway } from "./gateway.ts";

/**
 * Test support: the engine over mock providers on the MCP SDK's in-memory transport, with a hook
 * that can lose an answer (the call happens, the reply does not arrive) the way a timeout does.
 */
export type Interception = "lose-answer" | "hang" | undefined;

export interface TestCall {
  server: string;
  tool: ToolName;
  input: Record<string, unknown>;
}

export interface EngineRig {
  dir: string;
  gateway: ProviderGateway;
  state: StateBackend;
  events: RunEvent[];
  calls: TestCall[];
  providers: Map<string, MockProvider>;
  emit: (event: RunEvent) => void;
  /** Decides per call whether it goes through normally. */
  intercept: (call: TestCall) => Interception;
  close(): Promise<void>;
}

const PREFIXES = ["opnsense", "aws", "kubernetes", "docker"] as const;

export async function engineRig(
  options: { env?: Partial<Record<(typeof PREFIXES)[number], Record<string, string>>>; dir?: string } = {},
): Promise<EngineRig> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "mcp-iac-engine-"));
  const providers = new Map<string, MockProvider>();
  const clients = new Map<string, Client>();
  for (const prefix of PREFIXES) {
    const provider = createMockProvider({
      mountName: prefix,
      env: options.env?.[prefix] ?? {},
      worldFile: join(dir, `${prefix}.world.json`),
      crash: (reason) => {
        throw new Error(`crash: ${reason}`);
      },
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await provider.server().connect(serverSide);
    const client = new Client({ name: "engine-test", version: "0.0.0" });
    await client.connect(clientSide);
    providers.set(prefix, provider);
    clients.set(prefix, client);
  }
  const rig: EngineRig = {
    dir,
    state: createFileBackend(join(dir, ".mcp-iac")),
    events: [],
    calls: [],
    providers,
    emit: (event) => rig.events.push(event),
    intercept: () => undefined,
    gateway: undefined as unknown as ProviderGateway,
    async close() {
      for (const client of clients.values()) await client.close();
      for (const provider of providers.values()) provider.close();
    },
  };
  rig.gateway = rigGateway(rig, clients);
  return rig;
}

/** The rig's gateway: each call recorded, then intercepted (lost, hung) or sent over the in-memory pair. */
function rigGateway(rig: EngineRig, clients: Map<string, Client>): ProviderGateway {
  const descriptions = new Map<string, Promise<ToolData<"describeResourceTypes">>>();
  return {
    serverFor: (type) => type.split(":")[0]!,
    async call<T extends ToolName>(
      server: string,
      tool: T,
      input: ToolArguments<T>,
      callOptions?: { timeoutMs?: number },
    ): Promise<Envelope<ToolData<T>>> {
      const client = clients.get(server);
      if (!client) throw new Error(`no server ${server}`);
      const call = { server, tool, input: input as Record<string, unknown> };
      rig.calls.push(call);
      const timeoutMs = callOptions?.timeoutMs ?? 2_000;
      const timedOut = () =>
        new ProviderUnavailableError(
          server,
          "timeout",
          `provider server "${server}" did not answer ${tool} within ${timeoutMs} ms (timeout)`,
          { tool },
        );
      const how = rig.intercept(call);
      if (how === "hang") {
        await new Promise((resolve) => setTimeout(resolve, timeoutMs));
        throw timedOut();
      }
      try {
        const result = await client.callTool({ name: tool, arguments: call.input }, undefined, {
          timeout: timeoutMs,
        });
        if (how === "lose-answer") throw timedOut();
        return result.structuredContent as unknown as Envelope<ToolData<T>>;
      } catch (error) {
        if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) throw timedOut();
        throw error;
      }
    },
    describe(server) {
      let cached = descriptions.get(server);
      if (!cached) {
        cached = rig.gateway.call(server, "describeResourceTypes", {}).then((envelope) => {
          if (!envelope.success || !envelope.data) throw new Error(`describe ${server} failed`);
          return envelope.data;
        });
        descriptions.set(server, cached);
      }
      return cached;
    },
  };
}

/** Everything the mock worlds hold for a deployment. */
export function worldOf(rig: EngineRig, deploymentId: string) {
  return [...rig.providers.values()].flatMap((provider) =>
    provider.world.list().filter((resource) => resource.deploymentId === deploymentId),
  );
}
