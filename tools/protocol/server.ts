import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { toErrorBody } from "./errors.ts";
import { LazySchemaValidator } from "./lazy-schema-validator.ts";
import { useLineBuffer } from "./line-buffer.ts";
import type { Envelope } from "./schemas.ts";
import {
  TOOL_DESCRIPTIONS,
  TOOL_INPUTS,
  TOOL_NAMES,
  type ToolData,
  type ToolInput,
  type ToolName,
} from "./tools.ts";

/** What a handler gets besides its input: a way to report that a long call is alive. */
export interface ToolExtra {
  /** Sends an MCP progress notification when the caller asked for them; the client resets its timeout on each. */
  progress?(message: string): void;
}

export type ToolHandlers = {
  [K in ToolName]: (input: ToolInput<K>, extra?: ToolExtra) => Promise<ToolData<K>> | ToolData<K>;
};

interface RequestExtra {
  _meta?: { progressToken?: string | number };
  sendNotification(notification: {
    method: "notifications/progress";
    params: { progressToken: string | number; progress: number; message?: string };
  }): Promise<void>;
}

/** Progress notifications for one request, when its caller sent a progress token. */
function progressFor(request: RequestExtra | undefined): ToolExtra {
  const token = request?._meta?.progressToken;
  if (token === undefined || !request) return {};
  let progress = 0;
  return {
    progress(message: string) {
      progress += 1;
      // A lost notification only costs the caller a timeout reset; never fail the operation over it.
      request
        .sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress, message },
        })
        .catch(() => {});
    },
  };
}

export interface ProviderServerDefinition {
  /** Reported in every envelope's metadata and in the MCP handshake. */
  name: string;
  version: string;
  instructions?: string;
  handlers: ToolHandlers;
}

/** The MCP tool result for an envelope: structuredContent, the same JSON as text, isError on failure. */
export function envelopeResult(envelope: Envelope) {
  return {
    content: [{ type: "text" as const, text: JSON.stringify(envelope) }],
    structuredContent: envelope as unknown as Record<string, unknown>,
    isError: !envelope.success,
  };
}

/** Runs one handler and wraps what it returns, or throws, in the iac.mcp/v1 envelope. */
export async function runInEnvelope<T>(
  server: { name: string; version: string },
  work: () => Promise<T> | T,
): Promise<Envelope<T>> {
  const started = performance.now();
  const timestamp = new Date().toISOString();
  const metadata = () => ({
    timestamp,
    duration: Math.round((performance.now() - started) * 1000) / 1000,
    server: server.name,
    version: server.version,
  });
  try {
    const data = await work();
    return { success: true, data, metadata: metadata() };
  } catch (error) {
    return { success: false, error: toErrorBody(error), metadata: metadata() };
  }
}

/**
 * Turns a provider definition into an MCP server exposing the ten iac.mcp/v1 tools. A handler that
 * throws becomes an envelope with `success: false`; a ProviderError keeps its code and retryability.
 */
export function createProviderServer(definition: ProviderServerDefinition): McpServer {
  const server = new McpServer(
    { name: definition.name, version: definition.version },
    {
      capabilities: { tools: {} },
      jsonSchemaValidator: new LazySchemaValidator(),
      ...(definition.instructions ? { instructions: definition.instructions } : {}),
    },
  );
  for (const tool of TOOL_NAMES) {
    const handler = definition.handlers[tool] as (input: unknown, extra: ToolExtra) => unknown;
    server.registerTool(
      tool,
      { description: TOOL_DESCRIPTIONS[tool], inputSchema: TOOL_INPUTS[tool] },
      async (input: unknown, request: unknown) =>
        envelopeResult(
          await runInEnvelope(definition, () => handler(input, progressFor(request as RequestExtra))),
        ),
    );
  }
  return server;
}

/**
 * Serves a provider over stdio until its client goes away. When the parent closes our stdin (it
 * exited, or was killed), we exit too rather than linger as an orphan.
 */
export async function serveStdio(server: McpServer, onClose?: () => Promise<void> | void): Promise<void> {
  const transport = new StdioServerTransport();
  useLineBuffer(transport);
  const shutdown = async () => {
    try {
      await onClose?.();
    } finally {
      process.exit(0);
    }
  };
  process.stdin.on("end", shutdown);
  process.stdin.on("close", shutdown);
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  await server.connect(transport);
}
