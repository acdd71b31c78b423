import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";

export interface Envelope {
  success: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever shape each tool returns
  data?: any;
  error?: { code: string; message: string; retryable: boolean; details?: unknown };
  metadata: { server: string };
}

export interface ProviderClient {
  call(tool: string, args?: Record<string, unknown>): Promise<Envelope>;
  /** Like call, but fails the test when the envelope says it failed. */
  ok(tool: string, args?: Record<string, unknown>): Promise<Envelope["data"]>;
  close(): Promise<void>;
}

export async function connectClient(
  transport: Transport,
  onClose?: () => Promise<void>,
): Promise<ProviderClient> {
  const client = new Client({ name: "docker-provider-test", version: "0.0.0" });
  await client.connect(transport);
  const call = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 120_000 });
    return result.structuredContent as unknown as Envelope;
  };
  return {
    call,
    async ok(tool, args) {
      const envelope = await call(tool, args);
      if (!envelope.success) throw new Error(`${tool} failed: ${JSON.stringify(envelope.error)}`);
      return envelope.data;
    },
    async close() {
      await client.close();
      await onClose?.();
    },
  };
}

/** A client talking to the server in this process through the SDK's linked in-memory pair. */
export async function inMemoryClient(server: McpServer): Promise<ProviderClient> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  return connectClient(clientSide, () => server.close());
}
