import { IacError } from "../agent/errors.ts";

/** A case file that does not follow the schema: the message names the file and each path. */
export class EvalCaseError extends IacError {
  readonly file: string;
  readonly issues: { path: string; message: string }[];

  constructor(file: string, issues: { path: string; message: string }[]) {
    const lines = issues.map((issue) => `  - ${issue.path ? `${issue.path}: ` : ""}${issue.message}`);
    super("EVAL_CASE_INVALID", `${file} is not a valid eval case:\n${lines.join("\n")}`, {
      exitCode: 2,
      hint: "fix the case file; evals/README.md describes the fields",
    });
    this.name = "EvalCaseError";
    this.file = file;
    this.issues = issues;
  }
}
