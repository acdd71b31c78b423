import { redactSecrets } from "../../core/redact.ts";
import { ModelError } from "./types.ts";

/** What an adapter learned about a failed SDK call, in SDK-neutral terms. */
export interface FailedCall {
  /** HTTP status, when the server answered. */
  status?: number;
  /** The provider's error type from the body (`overloaded_error`, `insufficient_quota`, ...). */
  errorType?: string | null;
  /** The provider's own explanation, if any. */
  apiMessage?: string | null;
  /** The SDK gave up waiting (its `timeout`). */
  timedOut?: boolean;
  /** No HTTP answer at all (refused, reset, DNS). */
  connectionFailed?: boolean;
  cause: unknown;
}

export interface CallSite {
  provider: "anthropic" | "openai" | "langchain";
  /** Who was called, as messages name it; default the provider's name and the endpoint. */
  label?: string;
  model: string;
  /** The environment variable that holds this provider's key, named in auth messages. */
  keyVariable: string;
  /** Where the call went, named in network messages. */
  endpoint: string;
  /** Scrubbed from anything we repeat from the server. */
  apiKey?: string | undefined;
}

const LABEL = { anthropic: "Anthropic", openai: "OpenAI", langchain: "LangChain" } as const;

/** One place that turns a failed model call into a `ModelError` (style lesson 9). */
export function classifyModelFailure(failure: FailedCall, site: CallSite): ModelError {
  const who = site.label ?? `${LABEL[site.provider]} (${site.endpoint})`;
  const detail = serverSays(failure.apiMessage, site.apiKey);
  const { status, cause } = failure;

  if (failure.timedOut) {
    return new ModelError(
      "timeout",
      `${who} did not answer in time; try again, or raise the model timeout for slow or local models`,
      { cause },
    );
  }
  if (failure.connectionFailed || status === undefined) {
    return new ModelError(
      "network",
      `could not reach ${who}: ${reason(cause)}; check the network or the base URL`,
      { cause },
    );
  }
  if (status === 429 && failure.errorType !== "insufficient_quota") {
    return new ModelError(
      "rate_limited",
      `${who} is rate limiting this key (429)${detail}; wait a moment and run again`,
      { status, cause },
    );
  }
  if (status === 429) {
    // OpenAI reports an exhausted quota as a 429 that no amount of waiting fixes.
    return new ModelError(
      "auth",
      `${who} says this account has no quota left (429)${detail}; check the plan and billing of ${site.keyVariable}`,
      { status, cause, retryable: false },
    );
  }
  if (status >= 500 || failure.errorType === "overloaded_error") {
    if (status === 504) {
      return new ModelError("timeout", `${who} timed out upstream (504)${detail}; try again`, {
        status,
        cause,
      });
    }
    return new ModelError(
      "overloaded",
      `${who} is overloaded or failing (${status})${detail}; try again later`,
      {
        status,
        cause,
      },
    );
  }
  if (status === 408) {
    return new ModelError("timeout", `${who} timed out the request (408)${detail}; try again`, {
      status,
      cause,
    });
  }
  if (status === 401 || status === 403) {
    const what = status === 401 ? "rejected the API key" : "refused this key access";
    return new ModelError(
      "auth",
      `${who} ${what} (${status})${detail}; check ${site.keyVariable} (and the base URL if you use a proxy)`,
      { status, cause },
    );
  }
  if (status === 404) {
    return new ModelError(
      "bad_request",
      `${who} does not know model "${site.model}" or the endpoint (404)${detail}; check the model name (--model, MCP_IAC_MODEL or model.name in the config) and the base URL`,
      { status, cause },
    );
  }
  return new ModelError("bad_request", `${who} rejected the request (${status})${detail}`, { status, cause });
}

function serverSays(apiMessage: string | null | undefined, apiKey: string | undefined): string {
  if (!apiMessage) return "";
  return `: ${redactSecrets(apiMessage, [apiKey])}`;
}

/** The innermost cause says most (fetch wraps ECONNREFUSED twice). */
function reason(cause: unknown): string {
  let inner = cause;
  for (let depth = 0; depth < 5 && inner instanceof Error && inner.cause !== undefined; depth++) {
    inner = inner.cause;
  }
  if (!(inner instanceof Error)) return String(inner);
  const code = (inner as { code?: unknown }).code;
  return typeof code === "string" && !inner.message.includes(code)
    ? `${inner.message} (${code})`
    : inner.message;
}
