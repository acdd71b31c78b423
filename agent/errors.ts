/**
 * One base error for what the user did or must do. The CLI prints `message` (and `hint`) without a
 * stack and exits with `exitCode`; anything else that escapes is a bug and keeps its stack.
 */
export class IacError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "IacError";
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }

  static isInstance(value: unknown): value is IacError {
    return (
      value instanceof Error &&
      typeof (value as { exitCode?: unknown }).exitCode === "number" &&
      "code" in value
    );
  }
}

/** A name or text from the user's input, echoed cut short: a 5 MB name must not become a 5 MB message. */
export function cut(text: string, limit = 120): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} characters)`;
}

export interface SpecIssue {
  resource?: string;
  path: string;
  message: string;
}

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

  static render(source: string, issues: SpecIssue[]): string {
    const shown = issues.slice(0, 50);
    const lines = shown.map((issue) => {
      const where = issue.resource ? `${cut(issue.resource)}: ${cut(issue.path)}` : cut(issue.path);
      return `  - ${where ? `${where}: ` : ""}${cut(issue.message, 400)}`;
    });
    if (issues.length > shown.length) lines.push(`  - … and ${issues.length - shown.length} more`);
    return `${cut(source)} is not a valid deployment spec (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2, policy: 3, notApproved: 4 } as const;
