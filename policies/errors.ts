import { IacError } from "../core/errors.ts";
import { type Issue, renderIssues } from "../core/issues.ts";

export interface PolicyLoadIssue extends Issue {
  /** Where inside the source, e.g. `rules[2].when.all[0].matches`; empty for the source as a whole. */
  path: string;
}

/**
 * A policy source (a `policies:` entry or an override) that cannot be used. The message names the
 * source, the path inside it and the fix; the CLI exits 2 (bad config).
 */
export class PolicyLoadError extends IacError {
  static override readonly codes = "POLICY_LOAD_FAILED";
  /** The source as the config wrote it (`./policies/ours.yaml`, `builtin:baseline`, `policyEnforcement`). */
  readonly source: string;
  readonly issues: PolicyLoadIssue[];

  constructor(source: string, issues: PolicyLoadIssue[], options: { cause?: unknown } = {}) {
    super("POLICY_LOAD_FAILED", renderIssues(`policy ${source}`, issues), {
      exitCode: 2,
      hint: "fix the policy source named above, or remove it from policies in mcp-iac.config.yaml",
      cause: options.cause,
    });
    this.name = "PolicyLoadError";
    this.source = source;
    this.issues = issues;
  }

  /** The path of the first issue, the one a user fixes first. */
  get path(): string {
    return this.issues[0]?.path ?? "";
  }
}

/** A policy pack's own code threw while checking. The run cannot be judged, so it must not go on. */
export class PolicyCheckError extends IacError {
  static override readonly codes = "POLICY_CHECK_FAILED";
  readonly pack: string;

  constructor(pack: string, message: string, options: { cause?: unknown } = {}) {
    super("POLICY_CHECK_FAILED", message, {
      exitCode: 2,
      hint: "fix the policy pack, or remove it from policies in mcp-iac.config.yaml",
      cause: options.cause,
    });
    this.name = "PolicyCheckError";
    this.pack = pack;
  }
}
