import type { ProviderErrorBody } from "../../tools/protocol/index.ts";
import type { ApplyOutcome, EventSink } from "../events.ts";
import type { ResourceRecord, StateWriter } from "../state/index.ts";
import type { ChangeResult } from "./apply.ts";
import { TypeCatalog } from "./catalog.ts";
import { type ProviderGateway, transportErrorBody } from "./gateway.ts";
import { DeploymentListing, reconcileOperation } from "./reconcile.ts";
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy, sleep } from "./retry.ts";
import { Scheduler } from "./scheduler.ts";

export interface DestroyOptions {
  runId: string;
  emit: EventSink;
  parallelism?: number;
  retry?: RetryPolicy;
}

/**
 * Deletes everything state holds for a deployment, walking the graph in reverse: a resource goes
 * only after everything that depended on it is gone. A failure leaves what depends on it in place
 * and state saying so.
 */
export async function destroyAll(
  writer: StateWriter,
  gateway: ProviderGateway,
  options: DestroyOptions,
): Promise<{ outcome: ApplyOutcome; results: ChangeResult[] }> {
  const started = performance.now();
  const { emit } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const records = new Map(Object.entries(writer.state.resources));
  if (records.size === 0) return { outcome: "nothing-to-do", results: [] };
  const dependents = new Map<string, string[]>([...records.keys()].map((name) => [name, []]));
  for (const record of records.values()) {
    for (const dependency of record.dependsOn) dependents.get(dependency)?.push(record.name);
  }
  const scheduler = new Scheduler(
    [...records.values()].map((record) => ({
      id: record.name,
      server: record.server,
      deps: dependents.get(record.name)!,
    })),
    { parallelism: options.parallelism ?? 10 },
  );
  const catalog = new TypeCatalog(gateway);
  const results = new Map<string, ChangeResult>();
  emit({ type: "apply.started", total: records.size, parallelism: options.parallelism ?? 10 });

  const running = new Set<Promise<void>>();
  while (!scheduler.done) {
    for (const node of scheduler.take()) {
      const task = destroyOne(records.get(node.id)!).then((ok) => {
        running.delete(task);
        if (ok) scheduler.complete(node.id);
        else
          for (const skipped of scheduler.fail(node.id)) {
            const record = records.get(skipped)!;
            results.set(skipped, {
              name: skipped,
              action: "delete",
              server: record.server,
              status: "skipped",
              attempts: 0,
            });
            emit({ type: "change.skipped", name: skipped, reason: `${node.id} could not be deleted` });
          }
      });
      running.add(task);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  await Promise.all(running);
  const all = [...results.values()];
  const failed = all.filter((result) => result.status !== "succeeded").length;
  const outcome: ApplyOutcome = failed > 0 ? "failed" : "succeeded";
  emit({
    type: "apply.finished",
    outcome,
    succeeded: all.length - failed,
    failed: all.filter((result) => result.status === "failed").length,
    skipped: all.filter((result) => result.status === "skipped").length,
    durationMs: performance.now() - started,
  });
  return { outcome, results: all };

  async function destroyOne(record: ResourceRecord): Promise<boolean> {
    const operation = await writer.beginOperation({
      runId: options.runId,
      name: record.name,
      type: record.type,
      server: record.server,
      action: "delete",
      id: record.id,
    });
    let error: ProviderErrorBody | undefined;
    let attempt = 0;
    for (;;) {
      attempt++;
      emit({ type: "change.started", name: record.name, action: "delete", server: record.server, attempt });
      error = undefined;
      try {
        const envelope = await gateway.call(
          record.server,
          "destroyDeployment",
          { deploymentId: writer.state.name, resources: [{ ...record, status: record.status }] },
          { onProgress: (message) => emit({ type: "change.progress", name: record.name, message }) },
        );
        const result = envelope.data?.results.find((entry) => entry.name === record.name);
        if (!envelope.success) error = envelope.error;
        else if (result?.status === "failed") {
          // Already gone is as good as deleted.
          if (result.error?.code !== "NOT_FOUND") error = result.error;
        }
      } catch (thrown) {
        error = transportErrorBody(thrown);
      }
      if (!error?.retryable || attempt >= retry.attempts) break;
      const delayMs = backoffDelay(retry, attempt);
      emit({ type: "change.retrying", name: record.name, attempt, delayMs, error });
      await sleep(delayMs);
    }
    if (error) {
      try {
        await reconcileOperation(
          writer,
          gateway,
          catalog,
          new DeploymentListing(gateway, writer.state.name),
          operation,
        );
      } catch {
        // left pending for the next run
      }
      results.set(record.name, {
        name: record.name,
        action: "delete",
        server: record.server,
        status: "failed",
        attempts: attempt,
        error,
      });
      emit({ type: "change.failed", name: record.name, action: "delete", error });
      return false;
    }
    await writer.settleOperation(operation.opId, { remove: record.name });
    results.set(record.name, {
      name: record.name,
      action: "delete",
      server: record.server,
      status: "succeeded",
      attempts: attempt,
      id: record.id,
    });
    emit({ type: "change.succeeded", name: record.name, action: "delete", id: record.id, durationMs: 0 });
    return true;
  }
}
