import { cut, IacError } from "../core/errors.ts";
import { type Issue, issueList, problems } from "../core/issues.ts";

// The base error lives in core/ (below every layer); the agent's own subclasses live here.
export { cut, IacError, isIacError } from "../core/errors.ts";

export type SpecIssue = Issue;

/** A spec the engine cannot accept: malformed, unknown type, cycle, dangling reference, schema error. */
export class SpecError extends IacError {
  readonly issues: SpecIssue[];
  readonly source: string;

  constructor(source: string, issues: SpecIssue[]) {
    super("SPEC_INVALID", SpecError.render(source, issues), {
      exitCode: 2,
      hint: "fix the spec and run the command again",
    });
    this.name = "SpecError";
    this.issues = issues;
    this.source = source;
  }

  static override readonly codes = "SPEC_INVALID";

  static render(source: string, issues: SpecIssue[]): string {
    return `${cut(source)} is not a valid deployment spec (${problems(issues.length)}):\n${issueList(issues)}`;
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2, policy: 3, notApproved: 4 } as const;
