import type { ApiException } from "@kubernetes/client-node";
import { ProviderError } from "../../protocol/index.ts";
import { kubeLibraryIfLoaded } from "./kube-library.ts";

/** The API server's Status body, as every failure carries it. */
export interface KubeStatus {
  code?: number;
  reason?: string;
  message?: string;
  details?: {
    name?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

export interface FieldConflict {
  manager: string;
  field: string;
}

/** The Status of an ApiException (its body is the raw text), or undefined for any other error. */
export function statusOf(error: unknown): KubeStatus | undefined {
  const library = kubeLibraryIfLoaded();
  if (!library || !(error instanceof library.ApiException)) return undefined;
  const body = (error as ApiException<unknown>).body;
  let status: KubeStatus = {};
  if (typeof body === "string") {
    try {
      status = JSON.parse(body) as KubeStatus;
    } catch {
      status = { message: body };
    }
  } else if (body && typeof body === "object") status = body as KubeStatus;
  return { ...status, code: (error as ApiException<unknown>).code };
}

/** The managers and fields of an apply conflict, from the Status causes. */
export function conflictsOf(status: KubeStatus): FieldConflict[] {
  return (status.details?.causes ?? [])
    .filter((cause) => cause.reason === "FieldManagerConflict")
    .map((cause) => ({
      manager: /conflict with "([^"]*)"/.exec(cause.message ?? "")?.[1] ?? "another manager",
      field: cause.field ?? "",
    }));
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "EPIPE",
]);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  const message = error instanceof Error ? error.message : "";
  return /fetch failed|ECONNREFUSED|socket hang up/.test(message) ? "unreachable" : undefined;
}

/**
 * Maps a failure of the API server to the standard codes (issue 9 §7): 404 NOT_FOUND, 409 CONFLICT,
 * 422/400 VALIDATION_FAILED with the field paths, 401/403, 429 THROTTLED, 5xx retryable.
 * `what` names the object (`deployment default/web`) and `server` the cluster, for the message.
 */
export function kubeError(error: unknown, what: string, server: string): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const status = statusOf(error);
  if (!status) {
    const network = networkCode(error);
    if (network)
      return new ProviderError(
        "UNAVAILABLE",
        `the Kubernetes API server at ${server} does not answer (${network}); check KUBECONFIG and KUBE_CONTEXT`,
      );
    const message = error instanceof Error ? error.message : String(error);
    if (/Unrecognized API version and kind|Failed to fetch resource metadata/.test(message))
      return new ProviderError("UNSUPPORTED", `${what}: the cluster at ${server} does not serve this kind`);
    return new ProviderError("INTERNAL", `${what}: ${message}`);
  }
  const text = status.message ?? status.reason ?? `HTTP ${status.code}`;
  const causes = (status.details?.causes ?? []).map((cause) => ({
    field: cause.field ?? "",
    reason: cause.reason ?? "",
    message: cause.message ?? "",
  }));
  const details = { status: status.code, reason: status.reason, ...(causes.length > 0 ? { causes } : {}) };
  switch (status.code) {
    case 404:
      return new ProviderError("NOT_FOUND", `${what}: ${text}`, { details });
    case 409: {
      const conflicts = conflictsOf(status);
      if (conflicts.length === 0) return new ProviderError("CONFLICT", `${what}: ${text}`, { details });
      const owners = conflicts.map((item) => `${item.field} is owned by "${item.manager}"`).join(", ");
      return new ProviderError(
        "CONFLICT",
        `${what}: ${owners}; another field manager set these fields. Set forceConflicts: true on the resource to take them over, or leave them out`,
        { details: { ...details, conflicts } },
      );
    }
    case 400:
    case 422: {
      const fields = causes.map((cause) => `${cause.field}: ${cause.message}`).join("; ");
      return new ProviderError("VALIDATION_FAILED", `${what} is invalid: ${fields || text}`, { details });
    }
    case 401:
      return new ProviderError(
        "UNAUTHORIZED",
        `${what}: the cluster at ${server} refused the credentials (${text})`,
        {
          details,
        },
      );
    case 403:
      return new ProviderError("FORBIDDEN", `${what}: ${text}`, { details });
    case 405:
    case 415:
      return new ProviderError("UNSUPPORTED", `${what}: ${text}`, { details });
    case 429:
      return new ProviderError("THROTTLED", `${what}: ${text}`, { details });
    case 504:
      return new ProviderError("TIMEOUT", `${what}: ${text}`, { details });
    default:
      if ((status.code ?? 0) >= 500) return new ProviderError("UNAVAILABLE", `${what}: ${text}`, { details });
      return new ProviderError("INTERNAL", `${what}: ${text}`, { details });
  }
}
