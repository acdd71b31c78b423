export interface PolicyLoadIssue {
  /** Where inside the source, e.g. `rules[2].when.all[0].matches`; empty for the source as a whole. */
  path: string;
  message: string;
}

function render(source: string, issues: PolicyLoadIssue[]): string {
  const line = (issue: PolicyLoadIssue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  if (issues.length === 1) return `policy ${source}: ${line(issues[0]!)}`;
  return `policy ${source} has ${issues.length} problems:\n${issues.map((issue) => `  - ${line(issue)}`).join("\n")}`;
}

/**
 * A policy source (a `policies:` entry or an override) that cannot be used. The message names the
 * source, the path inside it and the fix. It carries `code` and `exitCode` like the agent's IacError,
 * so the CLI prints it without a stack and exits 2 (bad config).
 */
export class PolicyLoadError extends Error {
  readonly code = "POLICY_LOAD_FAILED";
  readonly exitCode = 2;
  readonly hint = "fix the policy source named above, or remove it from policies in mcp-iac.config.yaml";
  /** The source as the config wrote it (`./policies/ours.yaml`, `builtin:baseline`, `policyEnforcement`). */
  readonly source: string;
  readonly issues: PolicyLoadIssue[];

  constructor(source: string, issues: PolicyLoadIssue[], options: { cause?: unknown } = {}) {
    super(render(source, issues), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PolicyLoadError";
    this.source = source;
    this.issues = issues;
  }

  /** The path of the first issue, the one a user fixes first. */
  get path(): string {
    return this.issues[0]?.path ?? "";
  }

  static isInstance(value: unknown): value is PolicyLoadError {
    return value instanceof Error && value.name === "PolicyLoadError";
  }
}

/** A policy pack's own code threw while checking. The run cannot be judged, so it must not go on. */
export class PolicyCheckError extends Error {
  readonly code = "POLICY_CHECK_FAILED";
  readonly exitCode = 2;
  readonly hint = "fix the policy pack, or remove it from policies in mcp-iac.config.yaml";
  readonly pack: string;

  constructor(pack: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PolicyCheckError";
    this.pack = pack;
  }

  static isInstance(value: unknown): value is PolicyCheckError {
    return value instanceof Error && value.name === "PolicyCheckError";
  }
}
