import { type ErrorCode, isErrorCode, isRetryableByDefault } from "./codes.ts";
import type { ProviderErrorBody } from "./schemas.ts";

/**
 * An error a provider reports as data: thrown inside a tool handler, it becomes an envelope with
 * `success: false` and `isError`.
 */
export class ProviderError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; retryable?: boolean } = {}) {
    super(message);
    this.name = "ProviderError";
    this.code = code;
    this.details = options.details;
    this.retryable = options.retryable ?? isRetryableByDefault(code);
  }

  static isInstance(value: unknown): value is ProviderError {
    return value instanceof Error && (value as { name?: string }).name === "ProviderError" && "code" in value;
  }

  toBody(): ProviderErrorBody {
    const body: ProviderErrorBody = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** Turns anything thrown into an error body; unknown errors are INTERNAL. */
export function toErrorBody(error: unknown): ProviderErrorBody {
  if (ProviderError.isInstance(error)) return error.toBody();
  if (error && typeof error === "object") {
    const candidate = error as { code?: unknown; message?: unknown; retryable?: unknown };
    if (isErrorCode(candidate.code)) {
      return {
        code: candidate.code,
        message: String(candidate.message ?? candidate.code),
        retryable:
          typeof candidate.retryable === "boolean"
            ? candidate.retryable
            : isRetryableByDefault(candidate.code),
      };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "INTERNAL", message, retryable: false };
}
