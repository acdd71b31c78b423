import { type ErrorCode, ProviderError } from "../../protocol/index.ts";

/**
 * Cloud Control's handler error codes (a FAILED ProgressEvent's ErrorCode) onto iac.mcp/v1 codes.
 * The synchronous exceptions carry the same names with `Exception` appended (reference §2, §3).
 */
const HANDLER_CODES: Record<string, ErrorCode> = {
  NotUpdatable: "VALIDATION_FAILED",
  InvalidRequest: "VALIDATION_FAILED",
  AccessDenied: "FORBIDDEN",
  InvalidCredentials: "UNAUTHORIZED",
  AlreadyExists: "ALREADY_EXISTS",
  NotFound: "NOT_FOUND",
  ResourceConflict: "CONFLICT",
  Throttling: "THROTTLED",
  ServiceLimitExceeded: "QUOTA_EXCEEDED",
  NotStabilized: "TIMEOUT",
  GeneralServiceException: "INTERNAL",
  ServiceInternalError: "UNAVAILABLE",
  ServiceTimeout: "TIMEOUT",
  NetworkFailure: "UNAVAILABLE",
  InternalFailure: "INTERNAL",
  UnauthorizedTaggingOperation: "FORBIDDEN",
};

const EXCEPTIONS: Record<string, ErrorCode> = {
  ...Object.fromEntries(Object.entries(HANDLER_CODES).map(([code, mapped]) => [`${code}Exception`, mapped])),
  GeneralServiceException: "INTERNAL",
  ServiceLimitExceededException: "QUOTA_EXCEEDED",
  ThrottlingException: "THROTTLED",
  ResourceNotFoundException: "NOT_FOUND",
  ClientTokenConflictException: "CONFLICT",
  ConcurrentOperationException: "CONFLICT",
  ConcurrentModificationException: "CONFLICT",
  HandlerFailureException: "UNAVAILABLE",
  HandlerInternalFailureException: "UNAVAILABLE",
  ServiceInternalErrorException: "UNAVAILABLE",
  NetworkFailureException: "UNAVAILABLE",
  TypeNotFoundException: "UNSUPPORTED",
  UnsupportedActionException: "UNSUPPORTED",
  PrivateTypeException: "UNSUPPORTED",
  ValidationException: "VALIDATION_FAILED",
  RequestTokenNotFoundException: "INTERNAL",
  CredentialsProviderError: "UNAUTHORIZED",
  UnrecognizedClientException: "UNAUTHORIZED",
  InvalidSignatureException: "UNAUTHORIZED",
  ExpiredTokenException: "UNAUTHORIZED",
  AccessDeniedException: "FORBIDDEN",
};

/** Errors worth another attempt although their code is not retryable by default. */
const RETRYABLE = new Set([
  "ConcurrentOperationException",
  "ResourceConflict",
  "ResourceConflictException",
  "NotStabilized",
]);

const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE"]);

export function isThrottling(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === "ThrottlingException" || name === "Throttling" || name === "TooManyRequestsException";
}

export function errorName(error: unknown): string {
  return String((error as { name?: string })?.name ?? "Error");
}

/** A synchronous SDK failure as a ProviderError naming what was being done. */
export function fromSdkError(error: unknown, doing: string): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const network = (error as { code?: string })?.code;
  if (network && NETWORK.has(network)) {
    return new ProviderError(
      "UNAVAILABLE",
      `${doing}: Cloud Control is not reachable (${network}); check AWS_REGION and AWS_ENDPOINT_URL_CLOUDCONTROL`,
      {
        details: { cause: network },
      },
    );
  }
  const code = EXCEPTIONS[name] ?? (name === "TimeoutError" ? "TIMEOUT" : "INTERNAL");
  const hint = code === "UNAUTHORIZED" ? "; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY" : "";
  return new ProviderError(code, `${doing}: ${name}: ${message}${hint}`, {
    details: { exception: name },
    ...(RETRYABLE.has(name) ? { retryable: true } : {}),
  });
}

/** A FAILED ProgressEvent as a ProviderError carrying the handler's code and message for recovery. */
export function fromFailedEvent(
  event: { ErrorCode?: string; StatusMessage?: string; RequestToken?: string; Operation?: string },
  doing: string,
): ProviderError {
  const handlerCode = event.ErrorCode ?? "InternalFailure";
  const code = HANDLER_CODES[handlerCode] ?? "INTERNAL";
  // An empty StatusMessage happens on the live service; the code and token still say something.
  const status = event.StatusMessage?.trim() || "the handler gave no status message";
  return new ProviderError(
    code,
    `${doing} failed: ${status} (ErrorCode ${handlerCode}, RequestToken ${event.RequestToken ?? "?"})`,
    {
      details: {
        errorCode: handlerCode,
        statusMessage: event.StatusMessage ?? "",
        requestToken: event.RequestToken,
      },
      ...(RETRYABLE.has(handlerCode) ? { retryable: true } : {}),
    },
  );
}
