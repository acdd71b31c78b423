import { cut, IacError } from "../../core/errors.ts";
import { type Issue, issueList, problems } from "../../core/issues.ts";

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
