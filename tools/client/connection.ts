import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { LazySchemaValidator } from "../protocol/lazy-schema-validator.ts";
import { type ServerEntry, type ServerKind, serverKind } from "./config-schema.ts";
import { ClientsClosedError, describeExit, ProviderUnavailableError } from "./errors.ts";
import { StderrTail } from "./stderr-tail.ts";
import { ChildStdioTransport } from "./stdio-transport.ts";

export interface BuiltinCommand {
  command: string;
  args: string[];
}

export interface ConnectionOptions {
  /** Working folder of stdio servers (an entry's `cwd` is relative to it). */
  cwd: string;
  builtinCommand: BuiltinCommand;
  /** Bound on the MCP handshake. */
  startTimeoutMs: number;
  /** How long a child gets after SIGTERM before SIGKILL. */
  killGraceMs: number;
  clientInfo: { name: string; version: string };
}

const STDERR_TAIL_CHARS = 4096;

interface Session {
  client: Client;
  transport: ChildStdioTransport | StreamableHTTPClientTransport;
  closed: boolean;
}

interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * One provider server: started once, on first use, shared by concurrent callers; restarted on the
 * next use after it crashed. Every failure to reach it becomes a ProviderUnavailableError.
 */
export class ServerConnection {
  readonly name: string;
  readonly entry: ServerEntry;
  readonly kind: ServerKind;
  private readonly options: ConnectionOptions;
  private readonly stderr: StderrTail;
  private current: Session | undefined;
  private starting: Promise<Session> | undefined;
  private shutDown = false;

  constructor(name: string, entry: ServerEntry, options: ConnectionOptions) {
    this.name = name;
    this.entry = entry;
    this.kind = serverKind(entry);
    this.options = options;
    const secrets = [
      ...Object.values("env" in entry ? (entry.env ?? {}) : {}),
      ...Object.values("headers" in entry ? (entry.headers ?? {}) : {}),
    ];
    this.stderr = new StderrTail(STDERR_TAIL_CHARS, secrets);
  }

  /** Whether a live session exists right now. */
  get started(): boolean {
    return this.current !== undefined && !this.current.closed;
  }

  /** The child's pid while a stdio server runs. */
  get pid(): number | undefined {
    const transport = this.current?.transport;
    return transport instanceof ChildStdioTransport && transport.running ? transport.child?.pid : undefined;
  }

  /** What is started, in words (no secrets: env and headers are left out). */
  get target(): string {
    if ("url" in this.entry) return safeUrl(this.entry.url);
    const spec = this.launchSpec();
    return [spec.command, ...spec.args].join(" ");
  }

  /** The live session, starting the server when there is none. */
  session(): Promise<Session> {
    if (this.shutDown) return Promise.reject(new ClientsClosedError(this.name));
    if (this.current?.closed) {
      this.current = undefined;
      this.starting = undefined;
    }
    if (!this.starting) {
      const starting: Promise<Session> = this.start().then(
        (session) => {
          this.current = session;
          return session;
        },
        (error: unknown) => {
          if (this.starting === starting) this.starting = undefined;
          throw error;
        },
      );
      this.starting = starting;
    }
    return this.starting;
  }

  /** Calls one MCP tool; returns the raw result. */
  /**
   * Calls one MCP tool; returns the raw result. The call always asks for progress: a server that
   * reports progress is alive, so each notification restarts `timeoutMs`, up to `maxTotalTimeoutMs`.
   */
  async callTool(
    tool: string,
    args: Record<string, unknown>,
    options: { timeoutMs: number; maxTotalTimeoutMs: number; onProgress?: (message: string) => void },
  ) {
    const session = await this.session();
    const { timeoutMs, maxTotalTimeoutMs, onProgress } = options;
    try {
      return await session.client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: timeoutMs,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: maxTotalTimeoutMs,
        onprogress: (progress) => onProgress?.(progress.message ?? `${progress.progress}`),
      });
    } catch (error) {
      throw await this.callFailed(error, session, tool, timeoutMs);
    }
  }

  /** The names of every tool the server offers. */
  async toolNames(timeoutMs: number): Promise<string[]> {
    const session = await this.session();
    const names: string[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await session.client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
        names.push(...page.tools.map((tool) => tool.name));
        cursor = page.nextCursor;
      } while (cursor);
    } catch (error) {
      throw await this.callFailed(error, session, "tools/list", timeoutMs);
    }
    return names;
  }

  /** A protocol error: the server answered, but not in iac.mcp/v1. */
  protocolError(tool: string, problem: string): ProviderUnavailableError {
    return new ProviderUnavailableError(
      this.name,
      "protocol",
      `provider server "${this.name}" broke iac.mcp/v1 in ${tool}: ${problem}`,
      {
        stderr: this.stderr.value(),
        tool,
      },
    );
  }

  /** Stops the server for good. Idempotent. */
  async close(): Promise<void> {
    this.shutDown = true;
    const starting = this.starting;
    this.starting = undefined;
    const session = this.current ?? (await starting?.catch(() => undefined));
    this.current = undefined;
    if (session) await this.terminate(session);
  }

  private launchSpec(): LaunchSpec {
    const entry = this.entry;
    if ("builtin" in entry) {
      const { command, args } = this.options.builtinCommand;
      return {
        command,
        args: [...args, "provider", entry.builtin, ...(entry.args ?? [])],
        // A built-in runs from this installation and inherits the agent's environment (design §7).
        env: { ...processEnv(), ...entry.env, MCP_IAC_SERVER_NAME: this.name },
        cwd: this.options.cwd,
      };
    }
    if ("command" in entry) {
      return {
        command: entry.command,
        args: entry.args ?? [],
        env: { ...getDefaultEnvironment(), ...entry.env, MCP_IAC_SERVER_NAME: this.name },
        cwd: resolve(this.options.cwd, entry.cwd ?? "."),
      };
    }
    throw new Error(`server ${this.name} is not a stdio server`);
  }

  private async start(): Promise<Session> {
    this.stderr.clear();
    const client = new Client(this.options.clientInfo, {
      capabilities: {},
      jsonSchemaValidator: new LazySchemaValidator(),
    });
    let transport: Session["transport"];
    if ("url" in this.entry) {
      transport = new StreamableHTTPClientTransport(new URL(this.entry.url), {
        requestInit: { headers: this.entry.headers ?? {} },
      });
    } else {
      const spec = this.launchSpec();
      if (!existsSync(spec.cwd)) {
        throw this.startFailed(
          `its working folder ${spec.cwd} does not exist; check mcpServers.${this.name}.cwd`,
        );
      }
      const stdio = new ChildStdioTransport({ ...spec, stderr: "pipe" });
      stdio.stderr?.on("data", (chunk: Buffer) => this.stderr.append(chunk));
      // Obvious garbage ends the handshake at once instead of after the whole start timeout.
      stdio.onGarbage = () => void stdio.close().catch(() => undefined);
      transport = stdio;
    }
    const session: Session = { client, transport, closed: false };
    client.onclose = () => {
      session.closed = true;
    };
    try {
      await client.connect(transport, { timeout: this.options.startTimeoutMs });
      if (transport instanceof ChildStdioTransport) transport.onGarbage = undefined;
    } catch (error) {
      await this.terminate(session);
      throw this.startFailed(await this.startProblem(error, transport), error);
    }
    if (this.shutDown) {
      await this.terminate(session);
      throw new ClientsClosedError(this.name);
    }
    return session;
  }

  private async startProblem(error: unknown, transport: Session["transport"]): Promise<string> {
    const code = (error as { code?: unknown }).code;
    if (transport instanceof ChildStdioTransport) {
      const command = this.launchSpec().command;
      const where = "builtin" in this.entry ? "the agent's own command" : `mcpServers.${this.name}.command`;
      if (code === "ENOENT")
        return `command "${command}" was not found (is it installed and on PATH?); check ${where}`;
      if (code === "EACCES") return `command "${command}" is not executable; check ${where}`;
      if (transport.garbage !== undefined)
        return `it wrote ${JSON.stringify(transport.garbage)} on stdout, which is not MCP (JSON-RPC); is "${command}" an MCP server, and does it log to stderr rather than stdout?`;
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        return `it did not finish the MCP handshake within ${this.options.startTimeoutMs} ms (command "${command}")`;
      }
      if (transport.exit)
        return `it ${describeExit(transport.exit)} before finishing the MCP handshake (command "${command}")`;
      return `the MCP handshake failed: ${messageOf(error)}`;
    }
    const url = safeUrl((this.entry as { url: string }).url);
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return `${url} did not finish the MCP handshake within ${this.options.startTimeoutMs} ms`;
    }
    // fetch reports an unreachable host as a TypeError with the socket error as its cause.
    if (error instanceof TypeError) return `cannot reach ${url}: ${messageOf(error)}`;
    return `the MCP handshake with ${url} failed: ${messageOf(error)}`;
  }

  private startFailed(problem: string, cause?: unknown): ProviderUnavailableError {
    return new ProviderUnavailableError(
      this.name,
      "start-failed",
      `could not start provider server "${this.name}": ${problem}`,
      {
        stderr: this.stderr.value(),
        cause,
      },
    );
  }

  private async callFailed(
    error: unknown,
    session: Session,
    tool: string,
    timeoutMs: number,
  ): Promise<ProviderUnavailableError> {
    const transport = session.transport;
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout && !session.closed) {
      return new ProviderUnavailableError(
        this.name,
        "timeout",
        `provider server "${this.name}" did not answer ${tool} within ${timeoutMs} ms (timeout); ` +
          `raise timeoutMs for this server if the operation is slow`,
        { stderr: this.stderr.value(), tool, cause: error },
      );
    }
    const connectionLost =
      session.closed ||
      (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) ||
      (transport instanceof StreamableHTTPClientTransport && !(error instanceof McpError));
    if (connectionLost) {
      // The next call starts a fresh session.
      session.closed = true;
      if (transport instanceof ChildStdioTransport) {
        await waitFor(transport.exited, this.options.killGraceMs);
        const exit = transport.exit;
        if (!exit) await this.terminate(session);
        // Let the last stderr bytes drain into the tail.
        await new Promise((resolve) => setImmediate(resolve));
        const how = exit ? describeExit(exit) : "closed its connection";
        return new ProviderUnavailableError(
          this.name,
          "crashed",
          `provider server "${this.name}" crashed during ${tool}: it ${how}`,
          { stderr: this.stderr.value(), tool, cause: error, ...(exit ? { exit } : {}) },
        );
      }
      await this.terminate(session);
      return new ProviderUnavailableError(
        this.name,
        "crashed",
        `lost the connection to provider server "${this.name}" (${this.target}) during ${tool}: ${messageOf(error)}`,
        { tool, cause: error },
      );
    }
    return new ProviderUnavailableError(
      this.name,
      "protocol",
      `provider server "${this.name}" rejected ${tool}: ${messageOf(error)}`,
      { stderr: this.stderr.value(), tool, cause: error },
    );
  }

  /** SIGTERM, then SIGKILL after the grace period; for HTTP, ends the session. */
  private async terminate(session: Session): Promise<void> {
    session.closed = true;
    const transport = session.transport;
    if (transport instanceof ChildStdioTransport) {
      const child = transport.child;
      if (child && transport.running) {
        child.kill("SIGTERM");
        if (!(await waitFor(transport.exited, this.options.killGraceMs))) {
          child.kill("SIGKILL");
          await waitFor(transport.exited, 5000);
        }
      }
    } else if (transport.sessionId) {
      await waitFor(
        transport.terminateSession().catch(() => undefined),
        this.options.killGraceMs,
      );
    }
    await session.client.close().catch(() => undefined);
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
async function waitFor(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function processEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}

/** A URL without credentials or query (either may hold a token). */
function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "(invalid url)";
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const causeText =
    cause instanceof Error
      ? ((cause as { code?: string }).code ?? cause.message)
      : cause
        ? String(cause)
        : "";
  return causeText && !error.message.includes(causeText) ? `${error.message} (${causeText})` : error.message;
}
