/** The error codes of iac.mcp/v1 (design §3). */
export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "CONFLICT",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "QUOTA_EXCEEDED",
  "THROTTLED",
  "TIMEOUT",
  "UNAVAILABLE",
  "DEPENDENCY_FAILED",
  "UNSUPPORTED",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(["THROTTLED", "TIMEOUT", "UNAVAILABLE"]);

/** Whether a code is retryable when the server does not say otherwise. */
export function isRetryableByDefault(code: ErrorCode): boolean {
  return RETRYABLE_BY_DEFAULT.has(code);
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}
