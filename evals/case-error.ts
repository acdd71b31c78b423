import { IacError } from "../core/errors.ts";
import { issueList } from "../core/issues.ts";

/** A case file that does not follow the schema: the message names the file and each path. */
export class EvalCaseError extends IacError {
  static override readonly codes = "EVAL_CASE_INVALID";
  readonly file: string;
  readonly issues: { path: string; message: string }[];

  constructor(file: string, issues: { path: string; message: string }[]) {
    super("EVAL_CASE_INVALID", `${file} is not a valid eval case:\n${issueList(issues)}`, {
      exitCode: 2,
      hint: "fix the case file; evals/README.md describes the fields",
    });
    this.name = "EvalCaseError";
    this.file = file;
    this.issues = issues;
  }
}
