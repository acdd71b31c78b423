import type { z } from "zod";
import {
  type Envelope,
  type TOOL_INPUTS,
  TOOL_NAMES,
  type ToolData,
  type ToolName,
} from "../protocol/index.ts";
import type { ServerEntry, ServerKind } from "./config-schema.ts";
import { type BuiltinCommand, ServerConnection } from "./connection.ts";
import { NotAnEnvelope, readEnvelope } from "./envelope.ts";
import { ProviderFailureError, UnknownServerError, UnknownTypeError } from "./errors.ts";

export const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_KILL_GRACE_MS = 3_000;

export interface ProviderClientsOptions {
  /** Working folder of stdio servers. */
  cwd: string;
  /** How to run this installation's own binary; a `builtin: NAME` entry runs `[...args, "provider", NAME]`. */
  builtinCommand: BuiltinCommand;
  /** Per-call timeout when neither the call nor the server's `timeoutMs` says otherwise. */
  defaultTimeoutMs?: number;
  /** After SIGTERM, how long a server gets before SIGKILL. */
  killGraceMs?: number;
}

/** What a caller passes to a tool: the protocol's input shape, before defaults. */
export type ToolArguments<T extends ToolName> = z.input<z.ZodObject<(typeof TOOL_INPUTS)[T]>>;

/** However much progress a server reports, one call ends after this long unless the config says otherwise. */
export const DEFAULT_MAX_TOTAL_TIMEOUT_MS = 60 * 60_000;

export interface CallOptions {
  /** How long the server may stay silent; each progress notification it sends starts the wait anew. */
  timeoutMs?: number;
  /** Called with each progress message of a long call (a cloud resource being created, a rollout). */
  onProgress?: (message: string) => void;
}

export interface ServerInfo {
  name: string;
  kind: ServerKind;
  transport: "stdio" | "streamable-http";
  /** The command line or URL (never env or headers). */
  target: string;
  started: boolean;
  timeoutMs: number;
  parallelism: number | undefined;
}

export interface ServerHealth {
  ok: boolean;
  /** Resource types it serves; absent for a tool-only server or when unreachable. */
  types?: string[];
  /** True when the server lacks the iac.mcp/v1 tools: listed, but not a provider. */
  toolOnly?: boolean;
  error?: string;
  tools: string[];
}

type DescribeData = ToolData<"describeResourceTypes">;

/**
 * The provider servers of one run, from the config's `mcpServers`: each started once, on first
 * use, routed by the first segment of a resource type.
 */
export class ProviderClients {
  private readonly connections = new Map<string, ServerConnection>();
  private readonly options: ProviderClientsOptions;
  private readonly descriptions = new Map<string, Promise<DescribeData>>();
  private readonly routes = new Map<string, string>();
  private closing: Promise<void> | undefined;

  constructor(servers: Record<string, ServerEntry>, options: ProviderClientsOptions) {
    this.options = options;
    for (const [name, entry] of Object.entries(servers)) {
      this.connections.set(
        name,
        new ServerConnection(name, entry, {
          cwd: options.cwd,
          builtinCommand: options.builtinCommand,
          startTimeoutMs: entry.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
          killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
          clientInfo: { name: "mcp-iac", version: "0.1.0" },
        }),
      );
    }
  }

  /** Server names in config order. */
  serverNames(): string[] {
    return [...this.connections.keys()];
  }

  listServers(): ServerInfo[] {
    return [...this.connections.values()].map((connection) => ({
      name: connection.name,
      kind: connection.kind,
      transport: connection.kind === "http" ? "streamable-http" : "stdio",
      target: connection.target,
      started: connection.started,
      timeoutMs: this.timeoutFor(connection),
      parallelism: connection.entry.parallelism,
    }));
  }

  /** The child's pid while a stdio server runs (diagnostics). */
  pidOf(server: string): number | undefined {
    return this.connection(server).pid;
  }

  /**
   * The server for a resource type: the one whose key is the type's first segment; otherwise the
   * first (in config order) whose describeResourceTypes lists the type.
   */
  async serverFor(type: string): Promise<string> {
    const prefix = type.split(":")[0] ?? type;
    if (this.connections.has(prefix)) return prefix;
    const known = this.routes.get(type);
    if (known) return known;
    const problems: string[] = [];
    for (const name of this.connections.keys()) {
      try {
        const described = await this.describe(name);
        for (const info of described.types) if (!this.routes.has(info.type)) this.routes.set(info.type, name);
        if (described.types.some((info) => info.type === type)) return name;
      } catch (error) {
        problems.push(`${name}: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    throw new UnknownTypeError(type, this.serverNames(), problems);
  }

  /**
   * Calls one iac.mcp/v1 tool. A provider-reported failure comes back as an envelope with
   * `success: false`; a server that cannot answer throws ProviderUnavailableError.
   */
  async call<T extends ToolName>(
    server: string,
    tool: T,
    input: ToolArguments<T>,
    options: CallOptions = {},
  ): Promise<Envelope<ToolData<T>>> {
    const connection = this.connection(server);
    const timeoutMs = options.timeoutMs ?? this.timeoutFor(connection);
    const result = await connection.callTool(tool, input as Record<string, unknown>, {
      timeoutMs,
      maxTotalTimeoutMs:
        connection.entry.maxTotalTimeoutMs ?? Math.max(DEFAULT_MAX_TOTAL_TIMEOUT_MS, timeoutMs),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const envelope = readEnvelope(tool, result);
    if (envelope instanceof NotAnEnvelope) throw connection.protocolError(tool, envelope.message);
    return envelope;
  }

  /** describeResourceTypes, asked once per server. */
  async describe(server: string): Promise<DescribeData> {
    this.connection(server);
    let cached = this.descriptions.get(server);
    if (!cached) {
      cached = this.call(server, "describeResourceTypes", {}).then((envelope) => {
        if (!envelope.success || !envelope.data) {
          throw new ProviderFailureError(server, "describeResourceTypes", envelope.error!);
        }
        return envelope.data;
      });
      // A failure is not remembered: the next ask tries again.
      const pending = cached;
      pending.catch(() => {
        if (this.descriptions.get(server) === pending) this.descriptions.delete(server);
      });
      this.descriptions.set(server, pending);
    }
    return cached;
  }

  /** Starts the server if needed and reports what it offers. Never throws for an unreachable server. */
  async health(server: string): Promise<ServerHealth> {
    const connection = this.connection(server);
    let tools: string[] = [];
    try {
      tools = await connection.toolNames(this.timeoutFor(connection));
      if (!TOOL_NAMES.every((tool) => tools.includes(tool))) return { ok: true, toolOnly: true, tools };
      const described = await this.describe(server);
      return { ok: true, types: described.types.map((info) => info.type), tools };
    } catch (error) {
      return { ok: false, error: errorText(error), tools };
    }
  }

  /** Stops every server (SIGTERM, then SIGKILL after the grace period). Idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.connections.values()].map((connection) => connection.close())).then(
      () => undefined,
    );
    return this.closing;
  }

  private connection(server: string): ServerConnection {
    const connection = this.connections.get(server);
    if (!connection) throw new UnknownServerError(server, this.serverNames());
    return connection;
  }

  private timeoutFor(connection: ServerConnection): number {
    return connection.entry.timeoutMs ?? this.options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
