import type { OperationResult, ProviderErrorBody } from "../../tools/protocol/index.ts";
import type { ResourceRecord, StateWriter } from "../state/index.ts";
import { type ChangeResult, settleAgainstReality } from "./apply-context.ts";
import { TypeCatalog } from "./catalog.ts";
import type { ApplyOutcome, EventSink } from "./events.ts";
import { type Attempted, executeGraph, withRetries } from "./executor.ts";
import { type ProviderGateway, transportErrorBody } from "./gateway.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";
import { answerLost, probeServer, ServerHealth } from "./server-health.ts";

export interface DestroyOptions {
  runId: string;
  emit: EventSink;
  parallelism?: number;
  retry?: RetryPolicy;
  /** Timeout of one provider call. */
  callTimeoutMs?: number;
  /** Once aborted, no new delete starts; those in flight finish and are recorded (outcome "cancelled"). */
  signal?: AbortSignal;
}

interface DestroyRun {
  writer: StateWriter;
  gateway: ProviderGateway;
  options: DestroyOptions;
  catalog: TypeCatalog;
  health: ServerHealth;
  results: Map<string, ChangeResult>;
}

/**
 * Deletes everything state holds for a deployment, walking the graph in reverse: a resource goes
 * only after everything that depended on it is gone. A failure leaves what depends on it in place
 * and state saying so; the rest goes on.
 */
export async function destroyAll(
  writer: StateWriter,
  gateway: ProviderGateway,
  options: DestroyOptions,
): Promise<{ outcome: ApplyOutcome; results: ChangeResult[] }> {
  const started = performance.now();
  const { emit } = options;
  const records = new Map(Object.entries(writer.state.resources));
  if (records.size === 0) return { outcome: "nothing-to-do", results: [] };
  const dependents = new Map<string, string[]>([...records.keys()].map((name) => [name, []]));
  for (const record of records.values()) {
    for (const dependency of record.dependsOn) dependents.get(dependency)?.push(record.name);
  }
  const run: DestroyRun = {
    writer,
    gateway,
    options,
    catalog: new TypeCatalog(gateway),
    health: new ServerHealth(),
    results: new Map(),
  };
  const parallelism = options.parallelism ?? 10;
  emit({ type: "destroy.started", total: records.size, parallelism });
  const nodes = [...records.values()].map((record) => ({
    id: record.name,
    server: record.server,
    deps: dependents.get(record.name)!,
  }));
  const graph = await executeGraph(nodes, (node) => destroyOne(run, records.get(node.id)!), {
    parallelism,
    onFailure: "skip-dependents",
    signal: options.signal,
    onSkipped: (name, cause) => skip(run, records.get(name)!, `${cause} could not be deleted`),
  });
  for (const name of graph.notStarted) skip(run, records.get(name)!, "the destroy was cancelled");
  const all = [...run.results.values()];
  const failed = all.filter((result) => result.status !== "succeeded").length;
  const outcome: ApplyOutcome = graph.failed
    ? "failed"
    : graph.cancelled
      ? "cancelled"
      : failed > 0
        ? "failed"
        : "succeeded";
  emit({
    type: "destroy.finished",
    outcome,
    succeeded: all.length - failed,
    failed: all.filter((result) => result.status === "failed").length,
    skipped: all.filter((result) => result.status === "skipped").length,
    durationMs: performance.now() - started,
  });
  return { outcome, results: all };
}

function skip(run: DestroyRun, record: ResourceRecord, reason: string): void {
  run.results.set(record.name, {
    name: record.name,
    action: "delete",
    server: record.server,
    status: "skipped",
    attempts: 0,
  });
  run.options.emit({ type: "change.skipped", name: record.name, reason });
}

async function destroyOne(run: DestroyRun, record: ResourceRecord): Promise<boolean> {
  const { writer, options, health } = run;
  const { emit } = options;
  if (health.down(record.server))
    return failed(run, record, 0, health.refusal(record.server, `delete of ${record.name}`));
  const operation = await writer.beginOperation({
    runId: options.runId,
    name: record.name,
    type: record.type,
    server: record.server,
    action: "delete",
    id: record.id,
  });
  const sent = await withRetries<OperationResult>(
    (attempt) => {
      emit({ type: "change.started", name: record.name, action: "delete", server: record.server, attempt });
      return callDestroy(run, record);
    },
    {
      policy: options.retry ?? DEFAULT_RETRY,
      server: record.server,
      health,
      onRetry: (attempt, delayMs, error) =>
        emit({ type: "change.retrying", name: record.name, attempt, delayMs, error }),
      recover: (error) =>
        answerLost(error) ? probeAfterLostAnswer(run, record, error) : Promise.resolve(undefined),
    },
  );
  if (!sent.result) {
    // A server that stopped answering is not asked: the operation stays pending for the next run.
    if (!health.down(record.server)) await settleAgainstReality(writer, run.gateway, run.catalog, operation);
    return failed(
      run,
      record,
      sent.attempts,
      sent.error ?? { code: "INTERNAL", message: "no result", retryable: false },
    );
  }
  await writer.settleOperation(operation.opId, { remove: record.name });
  run.results.set(record.name, {
    name: record.name,
    action: "delete",
    server: record.server,
    status: "succeeded",
    attempts: sent.attempts,
    id: record.id,
  });
  emit({ type: "change.succeeded", name: record.name, action: "delete", id: record.id, durationMs: 0 });
  return true;
}

async function callDestroy(run: DestroyRun, record: ResourceRecord): Promise<Attempted<OperationResult>> {
  const { emit, callTimeoutMs } = run.options;
  try {
    const envelope = await run.gateway.call(
      record.server,
      "destroyDeployment",
      { deploymentId: run.writer.state.name, resources: [{ ...record, status: record.status }] },
      {
        ...(callTimeoutMs ? { timeoutMs: callTimeoutMs } : {}),
        onProgress: (message) => emit({ type: "change.progress", name: record.name, message }),
      },
    );
    if (!envelope.success) return { error: envelope.error };
    const result = envelope.data?.results.find((entry) => entry.name === record.name);
    // Already gone is as good as deleted.
    if (result?.status === "failed" && result.error?.code !== "NOT_FOUND") return { error: result.error };
    return { result: result ?? { name: record.name, status: "succeeded" } };
  } catch (thrown) {
    return { error: transportErrorBody(thrown) };
  }
}

/**
 * The answer to a delete was lost: a server that does not answer a cheap probe either is down for
 * the rest of the run (no retry into the void). One that answers gets the delete again: deleting
 * what is already gone succeeds (NOT_FOUND counts as deleted).
 */
async function probeAfterLostAnswer(
  run: DestroyRun,
  record: ResourceRecord,
  error: ProviderErrorBody,
): Promise<undefined> {
  const deploymentId = run.writer.state.name;
  const probe = await probeServer(
    run.gateway,
    record.server,
    deploymentId,
    record,
    run.options.callTimeoutMs,
  );
  if (!probe.alive) run.health.markDown(record.server, `${error.message}; then ${probe.error.message}`);
  return undefined;
}

function failed(run: DestroyRun, record: ResourceRecord, attempts: number, error: ProviderErrorBody): false {
  run.results.set(record.name, {
    name: record.name,
    action: "delete",
    server: record.server,
    status: "failed",
    attempts,
    error,
  });
  run.options.emit({ type: "change.failed", name: record.name, action: "delete", error });
  return false;
}
