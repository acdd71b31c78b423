import type { ProviderErrorBody } from "../../tools/protocol/index.ts";
import { backoffDelay, type RetryPolicy, sleep } from "./retry.ts";
import { type ScheduleNode, Scheduler, type SchedulerLimits } from "./scheduler.ts";
import { type ServerHealth, serverBroken } from "./server-health.ts";

/**
 * The one graph executor of apply, destroy and rollback (design §5): a node starts as soon as what
 * it depends on has finished, the longest remaining path first, under global and per-server limits
 * (the Scheduler's policy); what a failure does to the rest is the caller's choice.
 */

/**
 * "halt": a failure skips its dependents and nothing new starts (apply). "skip-dependents": its
 * dependents are skipped, the rest goes on (destroy). "continue": everything is attempted (rollback).
 */
export type OnFailure = "halt" | "skip-dependents" | "continue";

export interface ExecuteOptions extends SchedulerLimits {
  onFailure: OnFailure;
  /** Once aborted, nothing new starts; what is running finishes. */
  signal?: AbortSignal | undefined;
  /** A node that will never run because `cause` failed. */
  onSkipped?: (id: string, cause: string) => void;
}

export interface GraphOutcome {
  failed: boolean;
  /** The signal stopped the run with nodes left unstarted. */
  cancelled: boolean;
  /** Nodes never started (a halt or a cancel), not counting those skipped for a failed dependency. */
  notStarted: string[];
}

/** Runs `work` for each node in dependency order; `work` resolves true when the node succeeded. */
export async function executeGraph(
  nodes: readonly ScheduleNode[],
  work: (node: ScheduleNode) => Promise<boolean>,
  options: ExecuteOptions,
): Promise<GraphOutcome> {
  const scheduler = new Scheduler(nodes, options);
  const { signal } = options;
  const stop = () => scheduler.halt();
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop, { once: true });
  let failed = false;
  const running = new Set<Promise<void>>();
  let thrown: { error: unknown } | undefined;
  // One wake-up per completion: racing every running promise would cost O(parallelism) each time.
  let wake: (() => void) | undefined;
  const woken = () => {
    wake?.();
    wake = undefined;
  };
  const settle = (node: ScheduleNode, ok: boolean) => {
    if (ok || options.onFailure === "continue") {
      if (!ok) failed = true;
      scheduler.complete(node.id);
      return;
    }
    failed = true;
    for (const skipped of scheduler.fail(node.id)) options.onSkipped?.(skipped, node.id);
    // Stop starting new work; what is already running may finish (design §5).
    if (options.onFailure === "halt") scheduler.halt();
  };
  try {
    while (!scheduler.done) {
      if (thrown) break;
      for (const node of scheduler.take()) {
        const task: Promise<void> = work(node).then(
          (ok) => {
            running.delete(task);
            settle(node, ok);
            woken();
          },
          (error: unknown) => {
            running.delete(task);
            settle(node, false);
            woken();
            thrown ??= { error };
          },
        );
        running.add(task);
      }
      if (running.size === 0) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (thrown) throw thrown.error;
  } finally {
    await Promise.allSettled(running);
    signal?.removeEventListener("abort", stop);
  }
  const notStarted = scheduler.pending();
  return { failed, cancelled: signal?.aborted === true && notStarted.length > 0, notStarted };
}

/** What one attempt of a provider call came to. */
export interface Attempted<T> {
  result?: T | undefined;
  error?: ProviderErrorBody | undefined;
}

export interface RetryOptions<T> {
  policy: RetryPolicy;
  server: string;
  health: ServerHealth;
  /** Before the retry's backoff (for the `change.retrying` event). */
  onRetry?: (attempt: number, delayMs: number, error: ProviderErrorBody) => void;
  /**
   * After a failed attempt: a result found some other way (the provider did it though its answer
   * was lost), `"again"` to retry at once without counting a backoff, or undefined.
   */
  recover?: (error: ProviderErrorBody, attempt: number) => Promise<T | "again" | undefined>;
}

/**
 * Calls `attempt` until it succeeds, with exponential backoff for retryable errors. Never into the
 * void: a server that is down (it broke, or timed out and then failed a probe) gets no retry, and a
 * hang is retried once at most, after which the server is down for the run. So a hung server costs
 * at most three call timeouts (call, probe, one retry) for the changes in flight on it, together,
 * and nothing after: a run whose provider hangs ends within about 3 × timeoutMs plus the rollback
 * on the servers that still answer.
 */
export async function withRetries<T>(
  attempt: (count: number) => Promise<Attempted<T>>,
  options: RetryOptions<T>,
): Promise<{ result?: T; error?: ProviderErrorBody; attempts: number }> {
  const { policy, server, health } = options;
  let count = 0;
  for (;;) {
    count++;
    const { result, error } = await attempt(count);
    if (!error && result !== undefined) return { result, attempts: count };
    const failure = error ?? { code: "INTERNAL", message: "no result", retryable: false };
    if (serverBroken(failure)) health.markDown(server, failure.message);
    const recovered = await options.recover?.(failure, count);
    if (recovered === "again") continue;
    if (recovered !== undefined) return { result: recovered, attempts: count };
    const hungTwice = failure.code === "TIMEOUT" && count >= 2;
    // It answered a probe but hung again: nothing more is sent to it in this run.
    if (hungTwice) health.markDown(server, `${failure.message} (twice)`);
    if (!failure.retryable || count >= policy.attempts || health.down(server) || hungTwice)
      return { error: failure, attempts: count };
    const delayMs = backoffDelay(policy, count);
    options.onRetry?.(count, delayMs, failure);
    await sleep(delayMs);
  }
}
