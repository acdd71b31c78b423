/**
 * Memory's error: the same duck-typed shape as the project's base error (`code`, `exitCode`, `hint`),
 * so the CLI prints it without a stack, while `memory/` stays free of imports from `agent/`.
 */
export class MemoryError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MemoryError";
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }

  static isInstance(value: unknown): value is MemoryError {
    return value instanceof Error && value.name === "MemoryError" && "code" in value;
  }
}
