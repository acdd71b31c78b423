import type { ListedResource, ProviderErrorBody } from "../../tools/protocol/index.ts";
import { type ProviderGateway, transportErrorBody } from "./gateway.ts";

/** What asking a server after a lost answer found out. */
export type Probe = { alive: true; found?: ListedResource } | { alive: false; error: ProviderErrorBody };

/**
 * The servers of one run that stopped answering. Once a server timed out and then failed a cheap
 * probe too, or could not be started, nothing new is sent to it and nothing is retried into it: the
 * run ends within a bounded time (one call timeout plus one probe timeout per change in flight).
 */
export class ServerHealth {
  readonly #down = new Map<string, string>();

  /** Why the server is down, or undefined while it answers. */
  down(server: string): string | undefined {
    return this.#down.get(server);
  }

  markDown(server: string, why: string): void {
    if (!this.#down.has(server)) this.#down.set(server, why);
  }

  /** The error a change on a down server fails with, without calling it. */
  refusal(server: string, what: string): ProviderErrorBody {
    return {
      code: "UNAVAILABLE",
      message: `${what} not sent: provider server "${server}" stopped answering (${this.#down.get(server)}); fix or restart it, then run again`,
      retryable: false,
      details: { server, reason: "down" },
    };
  }
}

/** The call's answer never came (timeout, connection lost): the provider may have done the work. */
export function answerLost(error: ProviderErrorBody): boolean {
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  return reason === "timeout" || reason === "crashed";
}

/** A server that cannot even start, or answers in a foreign protocol, will not do better next call. */
export function serverBroken(error: ProviderErrorBody): boolean {
  const reason = (error.details as { reason?: unknown } | undefined)?.reason;
  return reason === "start-failed" || reason === "protocol";
}

/**
 * Asks the server what exists for this deployment (fresh, never cached) and looks for the resource
 * by type and name — the provider's labels say which are ours. A server that does not answer this
 * either is down.
 */
export async function probeServer(
  gateway: ProviderGateway,
  server: string,
  deploymentId: string,
  target: { type: string; name: string },
  timeoutMs: number | undefined,
): Promise<Probe> {
  try {
    const envelope = await gateway.call(
      server,
      "listResources",
      { filter: { deploymentId } },
      timeoutMs ? { timeoutMs } : undefined,
    );
    if (!envelope.success || !envelope.data) return { alive: true };
    const found = envelope.data.resources.find(
      (entry) => entry.name === target.name && entry.type === target.type,
    );
    return found ? { alive: true, found } : { alive: true };
  } catch (error) {
    return { alive: false, error: transportErrorBody(error) };
  }
}

/** One listing per server per run, for the check before a create (see apply's adoptListed). */
export class ListingOnce {
  readonly #cache = new Map<string, Promise<Probe & { all?: ListedResource[] }>>();
  readonly #gateway: ProviderGateway;
  readonly #deploymentId: string;
  readonly #timeoutMs: number | undefined;

  constructor(gateway: ProviderGateway, deploymentId: string, timeoutMs: number | undefined) {
    this.#gateway = gateway;
    this.#deploymentId = deploymentId;
    this.#timeoutMs = timeoutMs;
  }

  async find(server: string, target: { type: string; name: string }): Promise<Probe> {
    let listed = this.#cache.get(server);
    if (!listed) {
      listed = this.#list(server);
      this.#cache.set(server, listed);
    }
    const answer = await listed;
    if (!answer.alive) return answer;
    const found = answer.all?.find((entry) => entry.name === target.name && entry.type === target.type);
    return found ? { alive: true, found } : { alive: true };
  }

  async #list(server: string): Promise<Probe & { all?: ListedResource[] }> {
    try {
      const envelope = await this.#gateway.call(
        server,
        "listResources",
        { filter: { deploymentId: this.#deploymentId } },
        this.#timeoutMs ? { timeoutMs: this.#timeoutMs } : undefined,
      );
      // A provider that cannot list answers alive, with nothing found: the create goes ahead.
      return { alive: true, all: envelope.success ? (envelope.data?.resources ?? []) : [] };
    } catch (error) {
      return { alive: false, error: transportErrorBody(error) };
    }
  }
}
