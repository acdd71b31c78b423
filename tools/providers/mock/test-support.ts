import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Envelope } from "../../protocol/index.ts";
import { createMockProvider, type MockProvider, type MockProviderOptions } from "./provider.ts";

export function tempWorldFile(label = "mock"): string {
  return join(mkdtempSync(join(tmpdir(), "mcp-iac-mock-")), `${label}.world.json`);
}

export interface Connected {
  provider: MockProvider;
  client: Client;
  /** Calls a tool and returns its envelope (structuredContent). */
  call<T = Record<string, unknown>>(tool: string, args?: Record<string, unknown>): Promise<Envelope<T>>;
  /** Calls a tool, expects success, and returns `data`. */
  data<T = Record<string, unknown>>(tool: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** A mock provider and an MCP client over the SDK's linked in-memory transports. */
export async function connectMock(options: MockProviderOptions = {}): Promise<Connected> {
  const provider = createMockProvider({ env: {}, worldFile: tempWorldFile(options.mountName), ...options });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await provider.server().connect(serverSide);
  const client = new Client({ name: "mock-test", version: "0.0.0" });
  await client.connect(clientSide);
  const call = async <T>(tool: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name: tool, arguments: args });
    return result.structuredContent as Envelope<T>;
  };
  return {
    provider,
    client,
    call,
    async data<T>(tool: string, args: Record<string, unknown> = {}) {
      const envelope = await call<T>(tool, args);
      if (!envelope.success) throw new Error(`${tool} failed: ${JSON.stringify(envelope.error)}`);
      return envelope.data as T;
    },
    async close() {
      await client.close();
      provider.close();
    },
  };
}

export interface ApplyResult {
  name: string;
  status: "succeeded" | "failed";
  id?: string;
  outputs?: Record<string, unknown>;
  error?: { code: string; message: string; retryable: boolean };
}

export function createChange(type: string, name: string, after: Record<string, unknown>) {
  return { type, name, action: "create", after, diff: [] };
}
