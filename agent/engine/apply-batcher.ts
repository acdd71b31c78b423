import type { Change, OperationResult, ProviderErrorBody } from "../../tools/protocol/index.ts";
import type { EventSink } from "./events.ts";
import type { Attempted } from "./executor.ts";
import { type ProviderGateway, transportErrorBody } from "./gateway.ts";

/** What the batcher needs of the apply it serves. */
export interface BatchContext {
  gateway: ProviderGateway;
  deploymentId: string;
  emit: EventSink;
  readonly timeout: { timeoutMs: number } | undefined;
}

export const fail = (code: ProviderErrorBody["code"], message: string): ProviderErrorBody => ({
  code,
  message,
  retryable: false,
});

/**
 * Sends the changes that become ready together on one server in one applyDeployment call (the
 * standard takes many, design §3): one message and one provider round trip per server and wave
 * instead of one per change. Each change still gets its own result, error and retries.
 */
export class ApplyBatcher {
  readonly #ctx: BatchContext;
  readonly #queues = new Map<
    string,
    { change: Change; resolve: (outcome: Attempted<OperationResult>) => void }[]
  >();

  constructor(ctx: BatchContext) {
    this.#ctx = ctx;
  }

  send(server: string, change: Change): Promise<Attempted<OperationResult>> {
    return new Promise((resolve) => {
      let queue = this.#queues.get(server);
      if (!queue) {
        queue = [];
        this.#queues.set(server, queue);
        // What else becomes ready in this turn of the event loop joins the same call.
        setImmediate(() => void this.#flush(server));
      }
      queue.push({ change, resolve });
    });
  }

  async #flush(server: string): Promise<void> {
    const queue = this.#queues.get(server) ?? [];
    this.#queues.delete(server);
    const outcomes = await callApply(
      this.#ctx,
      server,
      queue.map((entry) => entry.change),
    );
    for (const [index, entry] of queue.entries()) entry.resolve(outcomes[index]!);
  }
}

/** Changes through one applyDeployment call; a failure of the call or of a change comes back as its `error`. */
async function callApply(
  ctx: BatchContext,
  server: string,
  changes: Change[],
): Promise<Attempted<OperationResult>[]> {
  try {
    const envelope = await ctx.gateway.call(
      server,
      "applyDeployment",
      {
        deploymentId: ctx.deploymentId,
        changes,
        // Ready together means independent: one change's failure does not hold the others back.
        ...(changes.length > 1 ? { options: { parallelism: changes.length, continueOnError: true } } : {}),
      },
      {
        ...ctx.timeout,
        onProgress: (message) => {
          for (const change of changes) ctx.emit({ type: "change.progress", name: change.name, message });
        },
      },
    );
    if (!envelope.success) {
      const error = envelope.error ?? fail("INTERNAL", "the provider failed without an error");
      return changes.map(() => ({ error }));
    }
    const byName = new Map((envelope.data?.results ?? []).map((entry) => [entry.name, entry]));
    return changes.map((change) => {
      const result = byName.get(change.name);
      if (!result) return { error: fail("INTERNAL", `${server} returned no result for ${change.name}`) };
      if (result.status === "failed")
        return { error: result.error ?? fail("INTERNAL", "failed without an error") };
      return { result };
    });
  } catch (thrown) {
    const error = transportErrorBody(thrown);
    return changes.map(() => ({ error }));
  }
}
