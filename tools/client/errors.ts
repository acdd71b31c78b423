import type { ProviderErrorBody } from "../protocol/index.ts";

/** Brand-safe instance check: works across copies of this module (names, not prototypes). */
function hasName(value: unknown, name: string): boolean {
  return value instanceof Error && value.name === name;
}

export interface ConfigIssue {
  /** Dotted path inside the file, e.g. `mcpServers.aws.url`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** A configuration file the agent cannot use. The message names the file, the path and the fix. */
export class ConfigError extends Error {
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    super(formatIssues(file, issues));
    this.name = "ConfigError";
    this.file = file;
    this.issues = issues;
  }

  /** The path of the first issue, the one a user fixes first. */
  get path(): string {
    return this.issues[0]?.path ?? "";
  }

  static isInstance(value: unknown): value is ConfigError {
    return hasName(value, "ConfigError");
  }
}

function formatIssues(file: string, issues: ConfigIssue[]): string {
  const line = (issue: ConfigIssue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  if (issues.length === 1) return `${file}: ${line(issues[0]!)}`;
  return `${file} has ${issues.length} problems:\n${issues.map((issue) => `  - ${line(issue)}`).join("\n")}`;
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
export class ProviderUnavailableError extends Error {
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
    super(`${message}${tail}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProviderUnavailableError";
    this.server = server;
    this.reason = reason;
    this.stderr = stderr;
    this.tool = options.tool;
    this.exit = options.exit;
  }

  static isInstance(value: unknown): value is ProviderUnavailableError {
    return hasName(value, "ProviderUnavailableError");
  }
}

/** No configured server serves a resource type. */
export class UnknownTypeError extends Error {
  readonly type: string;
  readonly servers: string[];

  constructor(type: string, servers: string[], problems: string[] = []) {
    const configured = servers.length > 0 ? servers.join(", ") : "none";
    const extra = problems.length > 0 ? ` (could not ask: ${problems.join("; ")})` : "";
    super(
      `no provider server serves type ${type}: its prefix "${type.split(":")[0]}" names no server in mcpServers ` +
        `(configured: ${configured}) and none lists it in describeResourceTypes${extra}. ` +
        `Add a server under mcpServers, or fix the type.`,
    );
    this.name = "UnknownTypeError";
    this.type = type;
    this.servers = servers;
  }

  static isInstance(value: unknown): value is UnknownTypeError {
    return hasName(value, "UnknownTypeError");
  }
}

/** A server name that is not a key of mcpServers. */
export class UnknownServerError extends Error {
  readonly server: string;

  constructor(server: string, servers: string[]) {
    super(`no server named "${server}" in mcpServers (configured: ${servers.join(", ") || "none"})`);
    this.name = "UnknownServerError";
    this.server = server;
  }

  static isInstance(value: unknown): value is UnknownServerError {
    return hasName(value, "UnknownServerError");
  }
}

/** A provider answered with a well-formed failure where the client needed data (describe). */
export class ProviderFailureError extends Error {
  readonly server: string;
  readonly tool: string;
  readonly error: ProviderErrorBody;

  constructor(server: string, tool: string, error: ProviderErrorBody) {
    super(`${server} failed ${tool}: ${error.code}: ${error.message}`);
    this.name = "ProviderFailureError";
    this.server = server;
    this.tool = tool;
    this.error = error;
  }

  static isInstance(value: unknown): value is ProviderFailureError {
    return hasName(value, "ProviderFailureError");
  }
}

/** Used after `close()`: the clients are gone for good. */
export class ClientsClosedError extends Error {
  constructor(server: string) {
    super(`provider clients are closed; cannot reach "${server}"`);
    this.name = "ClientsClosedError";
  }

  static isInstance(value: unknown): value is ClientsClosedError {
    return hasName(value, "ClientsClosedError");
  }
}
