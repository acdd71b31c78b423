import { type CallSite, classifyModelFailure } from "./classify-error.ts";
import { ModelError } from "./types.ts";

/** Options every SDK-backed model takes; each adapter documents its own key and base URL defaults. */
export interface SdkModelOptions {
  apiKey?: string;
  baseURL?: string;
  model: string;
  /** Where the key and base URL defaults come from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** SDK retries on 429, 5xx (and Anthropic's 529) and timeouts, with backoff; default 2. */
  maxRetries?: number;
  /** Per attempt; default 5 minutes (local models can be slow). */
  timeoutMs?: number;
}

/** How one vendor names its settings, for the checks and messages every SDK adapter makes. */
export interface ConnectionNames {
  /** "Anthropic", "OpenAI": as the user reads it in messages. */
  label: string;
  keyVariable: string;
  baseURLVariable: string;
  /** Sent when only a base URL is given: a gateway or local server may not want a key, the SDK does. */
  placeholderKey: string;
  /** What to do when there is no key, after "<KEY> is not set; ". */
  missingKeyHint: string;
  /** A base URL the user could write, shown when theirs does not parse. */
  exampleURL: string;
}

export interface Connection {
  apiKey: string;
  baseURL: string | undefined;
}

/** The key and base URL from the options, then the environment; a clear exit-2 error when unusable. */
export function resolveConnection(
  options: { apiKey?: string; baseURL?: string; env?: NodeJS.ProcessEnv },
  names: ConnectionNames,
): Connection {
  const env = options.env ?? process.env;
  const baseURL = options.baseURL || env[names.baseURLVariable] || undefined;
  const apiKey = options.apiKey || env[names.keyVariable] || (baseURL ? names.placeholderKey : undefined);
  if (!apiKey) {
    throw new ModelError("auth", `${names.keyVariable} is not set; ${names.missingKeyHint}`, { exitCode: 2 });
  }
  if (baseURL && !URL.canParse(baseURL)) {
    throw new ModelError(
      "bad_request",
      `the ${names.label} base URL "${baseURL}" is not a URL; give one like ${names.exampleURL} (model.baseURL or ${names.baseURLVariable})`,
      { exitCode: 2 },
    );
  }
  return { apiKey, baseURL };
}

const DEFAULT_TIMEOUT_MS = 300_000;

/** Settings both SDK clients take: retries with backoff (default 2), a per-attempt timeout (default 5 minutes). */
export function clientSettings(
  connection: Connection,
  options: { maxRetries?: number; timeoutMs?: number },
): { apiKey: string; baseURL: string | null; maxRetries: number; timeout: number } {
  return {
    apiKey: connection.apiKey,
    baseURL: connection.baseURL ?? null,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

/** The error classes both vendor SDKs export under the same names. */
export interface SdkErrorClasses<ApiError extends Error> {
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIError: abstract new (...args: never[]) => ApiError;
}

/** What a vendor's API error says, in the terms `classifyModelFailure` reads. */
export type ApiErrorDetails<ApiError> = (error: ApiError) => {
  status: number | undefined;
  errorType: string | null;
  apiMessage: string | null;
};

/** Who was called and how its SDK reports failures. */
export interface FailureContext<ApiError extends Error> {
  site: CallSite;
  label: string;
  signal: AbortSignal | undefined;
  errors: SdkErrorClasses<ApiError>;
  detailsOf: ApiErrorDetails<ApiError>;
}

/**
 * Sends one call and times it; a failed call becomes a `ModelError`, except the caller's own abort,
 * which is not a model failure and comes back as the signal's reason.
 */
export async function timedCall<T, ApiError extends Error>(
  send: () => Promise<T>,
  failure: FailureContext<ApiError>,
): Promise<{ value: T; latencyMs: number }> {
  const started = performance.now();
  let value: T;
  try {
    value = await send();
  } catch (error) {
    throw failureOf(error, failure);
  }
  return { value, latencyMs: Math.round(performance.now() - started) };
}

function failureOf<ApiError extends Error>(
  error: unknown,
  { site, label, signal, errors, detailsOf }: FailureContext<ApiError>,
): unknown {
  if (error instanceof errors.APIUserAbortError || signal?.aborted) return signal?.reason ?? error;
  if (error instanceof errors.APIConnectionTimeoutError)
    return classifyModelFailure({ timedOut: true, cause: error }, site);
  if (error instanceof errors.APIConnectionError) {
    return classifyModelFailure({ connectionFailed: true, cause: error }, site);
  }
  if (error instanceof errors.APIError) {
    return classifyModelFailure({ ...detailsOf(error), cause: error }, site);
  }
  if (error instanceof SyntaxError) {
    return new ModelError(
      "malformed_response",
      `${label} (${site.endpoint}) answered with a body that is not JSON; check the base URL`,
      { cause: error },
    );
  }
  return error;
}

/** The model the server says answered, else the one asked for (some compatible servers leave it out). */
export function answeringModel(reported: unknown, requested: string): string {
  return typeof reported === "string" && reported ? reported : requested;
}
