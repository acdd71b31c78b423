import { redactSecrets } from "../../../core/redact.ts";
import { type ErrorCode, ProviderError } from "../../protocol/index.ts";
import { type Engine, unavailable } from "./engine.ts";

interface DockerodeError {
  statusCode?: number;
  code?: string;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
}

const CONNECTION_CODES = new Set([
  "ENOENT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "EACCES",
]);

function byStatus(status: number | undefined, message: string): ErrorCode {
  switch (status) {
    case 400:
      return "VALIDATION_FAILED";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 409:
      return /already in use|already exists/i.test(message) ? "ALREADY_EXISTS" : "CONFLICT";
    case 429:
      return "THROTTLED";
    case 503:
      return "UNAVAILABLE";
    default:
      return "INTERNAL";
  }
}

/** Replaces every secret value in a message, so env values never reach an error. */
export function redact(message: string, secrets: readonly string[]): string {
  return redactSecrets(message, secrets, { marker: "***" });
}

/**
 * The one place engine failures become protocol errors: connection failures are UNAVAILABLE with
 * the standard message, HTTP statuses map to codes, and `what` says which object was involved.
 */
export function dockerError(
  engine: Engine,
  error: unknown,
  what: string,
  secrets: readonly string[] = [],
): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const failure = (error ?? {}) as DockerodeError;
  if (failure.code && CONNECTION_CODES.has(failure.code) && failure.statusCode === undefined)
    return unavailable(engine);
  const raw = failure.json?.message ?? failure.message ?? failure.reason ?? String(error);
  const message = redact(raw.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, "").trim(), secrets);
  return new ProviderError(byStatus(failure.statusCode, message), `${what}: ${message}`, {
    details: { statusCode: failure.statusCode },
  });
}

export function isNotFound(error: unknown): boolean {
  return (error as DockerodeError | undefined)?.statusCode === 404;
}
