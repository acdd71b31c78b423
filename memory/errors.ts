import { IacError } from "../core/errors.ts";

/** Memory's error: codes `MEMORY_*`; the CLI prints it without a stack like every error of ours. */
export class MemoryError extends IacError {
  static override readonly codes = /^MEMORY_/;

  constructor(
    code: `MEMORY_${string}`,
    message: string,
    options: { exitCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.name = "MemoryError";
  }
}
