import { IacError } from "../../core/errors.ts";
import { renderIssues } from "../../core/issues.ts";
import type { ProviderErrorBody } from "../protocol/index.ts";

// Each class recognises its errors by the brand and its code (IacError.isInstance), across module copies.

export interface ConfigIssue {
  /** Dotted path inside the file, e.g. `mcpServers.aws.url`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** A configuration file the agent cannot use. The message names the file, the path and the fix. */
export class ConfigError extends IacError {
  static override readonly codes = "CONFIG_INVALID";
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    super("CONFIG_INVALID", renderIssues(file, issues), { exitCode: 2 });
    this.name = "ConfigError";
    this.file = file;
    this.issues = issues;
  }

  /** The path of the first issue, the one a user fixes first. */
  get path(): string {
    return this.issues[0]?.path ?? "";
  }
}

export type UnavailableReason = "crashed" | "timeout" | "start-failed" | "protocol";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How a child process ended, in words. */
export function describeExit(exit: ExitInfo | undefined): string {
  if (!exit) return "ended";
  if (exit.signal) return `was killed by signal ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/**
 * A provider server that could not answer: it crashed, hung past the timeout, could not start, or
 * answered something that is not an iac.mcp/v1 envelope. Provider-reported failures are envelopes,
 * never this error.
 */
export class ProviderUnavailableError extends IacError {
  static override readonly codes = "PROVIDER_UNAVAILABLE";
  readonly server: string;
  readonly reason: UnavailableReason;
  /** The last few KB the server wrote to stderr (secrets from its config redacted). */
  readonly stderr: string;
  readonly tool: string | undefined;
  readonly exit: ExitInfo | undefined;

  constructor(
    server: string,
    reason: UnavailableReason,
    message: string,
    options: { stderr?: string; tool?: string; exit?: ExitInfo; cause?: unknown } = {},
  ) {
    const stderr = options.stderr ?? "";
    const tail = stderr.trim() ? `\n--- last stderr of ${server} ---\n${stderr.trimEnd()}` : "";
    super("PROVIDER_UNAVAILABLE", `${message}${tail}`, { cause: options.cause });
    this.name = "ProviderUnavailableError";
    this.server = server;
    this.reason = reason;
    this.stderr = stderr;
    this.tool = options.tool;
    this.exit = options.exit;
  }
}

/** No configured server serves a resource type. */
export class UnknownTypeError extends IacError {
  static override readonly codes = "UNKNOWN_TYPE";
  readonly type: string;
  readonly servers: string[];

  constructor(type: string, servers: string[], problems: string[] = []) {
    const configured = servers.length > 0 ? servers.join(", ") : "none";
    const extra = problems.length > 0 ? ` (could not ask: ${problems.join("; ")})` : "";
    super(
      "UNKNOWN_TYPE",
      `no provider server serves type ${type}: its prefix "${type.split(":")[0]}" names no server in mcpServers ` +
        `(configured: ${configured}) and none lists it in describeResourceTypes${extra}. ` +
        `Add a server under mcpServers, or fix the type.`,
    );
    this.name = "UnknownTypeError";
    this.type = type;
    this.servers = servers;
  }
}

/** A server name that is not a key of mcpServers. */
export class UnknownServerError extends IacError {
  static override readonly codes = "UNKNOWN_SERVER";
  readonly server: string;

  constructor(server: string, servers: string[]) {
    super(
      "UNKNOWN_SERVER",
      `no server named "${server}" in mcpServers (configured: ${servers.join(", ") || "none"})`,
    );
    this.name = "UnknownServerError";
    this.server = server;
  }
}

/** A provider answered with a well-formed failure where the client needed data (describe). */
export class ProviderFailureError extends IacError {
  static override readonly codes = "PROVIDER_FAILED";
  readonly server: string;
  readonly tool: string;
  readonly error: ProviderErrorBody;

  constructor(server: string, tool: string, error: ProviderErrorBody) {
    super("PROVIDER_FAILED", `${server} failed ${tool}: ${error.code}: ${error.message}`);
    this.name = "ProviderFailureError";
    this.server = server;
    this.tool = tool;
    this.error = error;
  }
}

/** Used after `close()`: the clients are gone for good. */
export class ClientsClosedError extends IacError {
  static override readonly codes = "CLIENTS_CLOSED";
  constructor(server: string) {
    super("CLIENTS_CLOSED", `provider clients are closed; cannot reach "${server}"`);
    this.name = "ClientsClosedError";
  }
}
