import { randomUUID } from "node:crypto";
import {
  type Change,
  containsUnknown,
  diffProperties,
  isSecretDigest,
  type OperationResult,
  type PropertyMap,
  type ProviderErrorBody,
} from "../../tools/protocol/index.ts";
import type { ApplyOutcome, EventSink } from "../events.ts";
import type { PendingOperation, ResourceRecord, StateWriter } from "../state/index.ts";
import { TypeCatalog } from "./catalog.ts";
import { describeCheck, runCheck } from "./checks.ts";
import { restoreRetired, retireReplaced } from "./create-before-destroy.ts";
import { type ProviderGateway, transportErrorBody } from "./gateway.ts";
import type { PlanResult } from "./plan.ts";
import type { PlannedChange } from "./plan-types.ts";
import { DeploymentListing, reconcileOperation } from "./reconcile.ts";
import { makeRecord } from "./records.ts";
import { readPath, resolveReferences } from "./references.ts";
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy, sleep } from "./retry.ts";
import { type ScheduleNode, Scheduler } from "./scheduler.ts";
import { digestsForProvider } from "./secrets.ts";
import { answerLost, ListingOnce, probeServer, ServerHealth, serverBroken } from "./server-health.ts";

export interface ApplyOptions {
  runId: string;
  emit: EventSink;
  /** Resources in flight at once, over all servers. */
  parallelism?: number;
  perServer?: Record<string, number>;
  /** Roll back this run's changes when one fails (the default), or keep them (`--no-rollback`). */
  rollback?: boolean;
  retry?: RetryPolicy;
  /** Timeout of one provider call. */
  callTimeoutMs?: number;
  /** Idempotency keys of creates an interrupted run left unsettled, by resource name: sent again as is. */
  operationIds?: ReadonlyMap<string, string>;
}

export interface ChangeResult {
  name: string;
  action: Change["action"];
  server: string;
  status: "succeeded" | "failed" | "skipped" | "unchanged";
  id?: string;
  attempts: number;
  error?: ProviderErrorBody;
  durationMs?: number;
}

export interface RollbackStep {
  name: string;
  action: string;
  status: "succeeded" | "failed";
  error?: string;
}

export interface ApplyReport {
  outcome: ApplyOutcome;
  results: ChangeResult[];
  rollback?: { ok: boolean; steps: RollbackStep[] };
  durationMs: number;
  /** Undoes this apply's changes (once; while the state writer is open). Not serialised. */
  readonly undo?: () => Promise<{ ok: boolean; steps: RollbackStep[] }>;
}

interface Applied {
  change: PlannedChange;
  record?: ResourceRecord;
  /** A create-before-destroy's old resource, still there: undoing the create puts it back in state. */
  restore?: ResourceRecord;
}

const fail = (code: ProviderErrorBody["code"], message: string): ProviderErrorBody => ({
  code,
  message,
  retryable: false,
});

/**
 * Applies a plan with the dynamic scheduler of design §5: a change starts as soon as what it
 * depends on has succeeded, the longest remaining path first, under global and per-server limits.
 * Each provider call is recorded as pending in state before it is made and settled after.
 */
export async function applyPlan(
  planned: PlanResult,
  writer: StateWriter,
  gateway: ProviderGateway,
  options: ApplyOptions,
): Promise<ApplyReport> {
  const started = performance.now();
  const { emit } = options;
  const deploymentId = planned.plan.deployment;
  const retry = options.retry ?? DEFAULT_RETRY;
  const parallelism = options.parallelism ?? 10;
  const catalog = new TypeCatalog(gateway);
  const changes = new Map(planned.plan.changes.map((change) => [change.name, change]));
  const results = new Map<string, ChangeResult>();
  const applied: Applied[] = [];
  /** Old resources of create-before-destroy replacements, deleted once the run has succeeded. */
  const retired: ResourceRecord[] = [];

  // Outputs known so far, in clear: from state for what exists, from results as they arrive.
  const outputs = new Map<string, PropertyMap>();
  for (const [name, record] of planned.current) outputs.set(name, record.outputs);
  const resolvedProperties = new Map<string, PropertyMap>();
  const health = new ServerHealth();
  const listing = new ListingOnce(gateway, deploymentId, options.callTimeoutMs);

  const active = planned.plan.changes.filter((change) => change.action !== "noop");
  for (const change of planned.plan.changes) {
    if (change.action === "noop") {
      results.set(change.name, {
        name: change.name,
        action: "noop",
        server: change.server,
        status: "unchanged",
        attempts: 0,
        ...(change.id ? { id: change.id } : {}),
      });
    }
  }
  if (active.length === 0) {
    return {
      outcome: "nothing-to-do",
      results: [...results.values()],
      durationMs: performance.now() - started,
    };
  }

  await takeSnapshots(active, writer, gateway, options);

  const activeNames = new Set(active.map((change) => change.name));
  const nodes: ScheduleNode[] = active.map((change) => ({
    id: change.name,
    server: change.server,
    deps: change.deps.filter((dependency) => activeNames.has(dependency)),
  }));
  const scheduler = new Scheduler(nodes, {
    parallelism,
    ...(options.perServer ? { perServer: options.perServer } : {}),
  });
  emit({ type: "apply.started", total: active.length, parallelism });

  let failed = false;
  const running = new Set<Promise<void>>();
  const launch = (node: ScheduleNode) => {
    const change = changes.get(node.id)!;
    const task = runChange(change).then((ok) => {
      running.delete(task);
      if (ok) {
        scheduler.complete(node.id);
        return;
      }
      failed = true;
      for (const skipped of scheduler.fail(node.id)) {
        const skippedChange = changes.get(skipped)!;
        results.set(skipped, {
          name: skipped,
          action: skippedChange.action,
          server: skippedChange.server,
          status: "skipped",
          attempts: 0,
        });
        emit({ type: "change.skipped", name: skipped, reason: `${node.id} failed` });
      }
      // Stop starting new work; what is already running may finish (design §5).
      scheduler.halt();
    });
    running.add(task);
  };

  while (!scheduler.done) {
    for (const node of scheduler.take()) launch(node);
    if (running.size === 0) break;
    await Promise.race(running);
  }
  await Promise.all(running);
  for (const name of scheduler.pending()) {
    if (results.has(name)) continue;
    const change = changes.get(name)!;
    results.set(name, { name, action: change.action, server: change.server, status: "skipped", attempts: 0 });
    emit({ type: "change.skipped", name, reason: "the apply stopped after a failure" });
  }

  await retireReplaced(retired, { failed, rollback: options.rollback ?? true }, writer, gateway, options);

  let outcome: ApplyOutcome = failed ? "partial" : "succeeded";
  let rollbackReport: ApplyReport["rollback"];
  if (failed && (options.rollback ?? true)) {
    rollbackReport = await rollbackApplied(applied, planned, writer, gateway, catalog, options, health);
    outcome = rollbackReport.ok ? "rolled-back" : "failed";
  }
  const counts = [...results.values()];
  const durationMs = performance.now() - started;
  emit({
    type: "apply.finished",
    outcome,
    succeeded: counts.filter((result) => result.status === "succeeded").length,
    failed: counts.filter((result) => result.status === "failed").length,
    skipped: counts.filter((result) => result.status === "skipped").length,
    durationMs,
  });
  const report: ApplyReport = {
    outcome,
    results: planned.plan.changes.map((change) => results.get(change.name)!).filter(Boolean),
    ...(rollbackReport ? { rollback: rollbackReport } : {}),
    durationMs,
  };
  // Kept out of JSON: a later decision (the agent's recovery) may still undo what this apply did.
  Object.defineProperty(report, "undo", {
    enumerable: false,
    value: () =>
      rollbackReport
        ? Promise.resolve(rollbackReport)
        : rollbackApplied(applied, planned, writer, gateway, catalog, options, health),
  });
  return report;

  function lookup(reference: { target: string; path: (string | number)[] }): unknown {
    const fromOutputs = readPath(outputs.get(reference.target), reference.path);
    if (fromOutputs !== undefined && !isSecretDigest(fromOutputs)) return fromOutputs;
    return readPath(resolvedProperties.get(reference.target), reference.path);
  }

  async function runChange(change: PlannedChange): Promise<boolean> {
    const begun = performance.now();
    const down = health.down(change.server);
    if (down)
      return settleFailure(change, 0, health.refusal(change.server, `${change.action} of ${change.name}`));
    const desired = planned.graph.nodes.get(change.name)?.resource;
    let after: PropertyMap | undefined;
    if (desired && change.action !== "delete") {
      after = resolveReferences(desired.properties, lookup);
      if (containsUnknown(after)) {
        return settleFailure(
          change,
          0,
          fail(
            "DEPENDENCY_FAILED",
            `${change.name}: a value it references is still unknown after its dependencies were applied`,
          ),
        );
      }
      resolvedProperties.set(change.name, after);
    }
    const current = planned.current.get(change.name);
    // One key for this change across its retries; a create an interrupted run left open keeps its own.
    const reopened = change.action === "create" || change.action === "replace";
    const operationId = (reopened ? options.operationIds?.get(change.name) : undefined) ?? randomUUID();
    let createFirst = change.action === "replace" && change.createBeforeDestroy === true && !!current;
    const classic: Change = {
      name: change.name,
      type: change.type,
      action: change.action,
      operationId,
      diff: change.diff,
      ...(change.id ? { id: change.id } : {}),
      ...(current ? { before: digestsForProvider(current.properties, after), outputs: current.outputs } : {}),
      ...(after ? { after } : {}),
    };
    // Create before destroy: the new one alongside the old, which goes once its users have moved.
    let send: Change = createFirst
      ? {
          name: change.name,
          type: change.type,
          action: "create",
          operationId,
          diff: change.diff,
          // The one it replaces: the provider leaves it alone (never adopts it) until it is retired.
          ...(change.id ? { id: change.id } : {}),
          ...(after ? { after } : {}),
        }
      : classic;
    // A record lost from state must not become a duplicate: what the provider already lists as ours
    // under this name is adopted (and brought to the desired properties) instead of created again.
    const adoptedAsIs = change.action === "create" ? await adoptListed(change, send) : undefined;
    if (adoptedAsIs === "down")
      return settleFailure(change, 0, health.refusal(change.server, `create of ${change.name}`));
    const operation = await writer.beginOperation({
      runId: options.runId,
      name: change.name,
      type: change.type,
      server: change.server,
      action: send.action as "create" | "update" | "replace" | "delete",
      operationId,
      // A create-first's id is the old resource's, not what this operation makes.
      ...(send.id && !createFirst ? { id: send.id } : {}),
    });

    let attempt = 0;
    let result: OperationResult | undefined = adoptedAsIs;
    let error: ProviderErrorBody | undefined;
    while (!result) {
      attempt++;
      emit({
        type: "change.started",
        name: change.name,
        action: change.action,
        server: change.server,
        attempt,
      });
      ({ result, error } = await callApply(change.server, send));
      if (!error) break;
      if (createFirst && error.code === "ALREADY_EXISTS") {
        // The platform allows one at a time (a unique name): replace in place after all.
        emit({
          type: "notice",
          level: "warn",
          message: `${change.name}: the new one cannot exist beside the old (${error.message}); replacing it destroy-first`,
        });
        createFirst = false;
        send = classic;
        continue;
      }
      if (serverBroken(error)) health.markDown(change.server, error.message);
      if (answerLost(error)) {
        const adopted = await askAfterLostAnswer(change, error);
        if (adopted) {
          result = adopted;
          error = undefined;
          break;
        }
      }
      if (!error.retryable || attempt >= retry.attempts || health.down(change.server)) break;
      // A hang is retried once, and only after the server answered the probe: never into the void.
      if (error.code === "TIMEOUT" && attempt >= 2) break;
      const delayMs = backoffDelay(retry, attempt);
      emit({ type: "change.retrying", name: change.name, attempt, delayMs, error });
      await sleep(delayMs);
    }

    if (error || !result) {
      // What the provider did before failing is not known for sure: ask it, so state stays true.
      // A server that stopped answering is not asked: the operation stays pending for the next run.
      if (!health.down(change.server)) await settleAgainstReality(writer, gateway, catalog, operation);
      // A failed create the provider made anyway is now in state (adopted): it is this run's to undo.
      const adopted = writer.state.resources[change.name];
      if (change.action === "create" && adopted && !planned.current.has(change.name)) {
        applied.push({ change, record: adopted });
        emit({
          type: "notice",
          level: "warn",
          message: `${change.name}: the failed create left ${adopted.id} behind; state holds it, and a rollback deletes it`,
        });
      }
      return settleFailure(change, attempt, error ?? fail("INTERNAL", "no result"));
    }

    let entry = planned.types.get(change.type);
    if (!entry) {
      await catalog.load([change.type]);
      entry = await catalog.entry(change.type);
    }
    let record: ResourceRecord | undefined;
    if (change.action === "delete") {
      await writer.settleOperation(operation.opId, { remove: change.name });
      outputs.delete(change.name);
    } else {
      record = makeRecord({
        name: change.name,
        type: change.type,
        server: change.server,
        id: result.id ?? change.id ?? "",
        properties: after ?? {},
        outputs: result.outputs ?? {},
        dependsOn: change.deps,
        info: entry?.info,
        secretKeys: planned.secrets.keys(change.name),
      });
      await writer.settleOperation(operation.opId, { put: record });
      outputs.set(change.name, result.outputs ?? {});
    }
    if (createFirst && current) {
      retired.push(current);
      applied.push({
        change: { ...change, action: "create" },
        ...(record ? { record } : {}),
        restore: current,
      });
    } else applied.push({ change, ...(record ? { record } : {}) });

    for (const check of desired?.checks ?? []) {
      const resolvedCheck = resolveReferences(check, lookup);
      const rawReason = await runCheck(resolvedCheck);
      // A check that reads a secret is shown as written, and its secret values never leave here.
      const hidden = secretTexts(planned.secrets.secretReferences(check));
      const shown = describeCheck(hidden.length > 0 ? check : resolvedCheck);
      const reason = rawReason === undefined ? undefined : maskTexts(rawReason, hidden);
      if (reason) {
        emit({ type: "check.failed", name: change.name, check: shown, message: reason });
        return settleFailure(
          change,
          attempt,
          fail("DEPENDENCY_FAILED", `check ${shown} failed: ${reason}`),
          record?.id,
        );
      }
      emit({ type: "check.passed", name: change.name, check: shown });
    }

    const durationMs = performance.now() - begun;
    results.set(change.name, {
      name: change.name,
      action: change.action,
      server: change.server,
      status: "succeeded",
      attempts: attempt,
      durationMs,
      ...(record ? { id: record.id } : change.id ? { id: change.id } : {}),
    });
    emit({
      type: "change.succeeded",
      name: change.name,
      action: change.action,
      durationMs,
      ...(record ? { id: record.id } : {}),
    });
    return true;
  }

  function secretTexts(references: { target: string; path: (string | number)[]; text: string }[]): string[] {
    return references
      .map((reference) => lookup(reference))
      .map((value) => (typeof value === "string" ? value : JSON.stringify(value)))
      .filter((value): value is string => typeof value === "string" && value.length > 0);
  }

  function settleFailure(
    change: PlannedChange,
    attempts: number,
    error: ProviderErrorBody,
    id?: string,
  ): false {
    results.set(change.name, {
      name: change.name,
      action: change.action,
      server: change.server,
      status: "failed",
      attempts,
      error,
      ...(id ? { id } : {}),
    });
    emit({ type: "change.failed", name: change.name, action: change.action, error });
    return false;
  }

  /**
   * Asks (once per server per run) whether the provider lists a resource of ours by this name and
   * type. Found and equal to what is wanted: adopted as is (returned). Found but different: `send`
   * becomes an update (or replace) of it. Not found, or the listing failed: a plain create.
   */
  async function adoptListed(
    change: PlannedChange,
    send: Change,
  ): Promise<OperationResult | "down" | undefined> {
    const probe = await listing.find(change.server, change);
    if (!probe.alive && (probe.error.code === "TIMEOUT" || serverBroken(probe.error))) {
      health.markDown(change.server, probe.error.message);
      return "down";
    }
    const found = probe.alive ? probe.found : undefined;
    if (!found) return undefined;
    const info = planned.types.get(change.type)?.info;
    const diff = diffProperties(found.properties, send.after ?? {}, info?.replaceOnChange ?? []);
    emit({
      type: "notice",
      level: "warn",
      message: `${change.name}: ${change.server} already has it (${found.id}) though state did not; adopting it${diff.length > 0 ? " and bringing it to the spec" : ""} instead of creating a duplicate`,
    });
    if (diff.length === 0)
      return { name: change.name, status: "succeeded", id: found.id, outputs: found.outputs };
    send.action = diff.some((entry) => entry.forcesReplacement) ? "replace" : "update";
    send.id = found.id;
    send.before = found.properties;
    send.outputs = found.outputs;
    send.diff = diff;
    return undefined;
  }

  /**
   * The answer to an apply was lost: ask the server what exists before sending anything again. A
   * create (or the new half of a replace) it made anyway is adopted; a server that does not answer
   * the probe either is down for the rest of the run.
   */
  async function askAfterLostAnswer(
    change: PlannedChange,
    error: ProviderErrorBody,
  ): Promise<OperationResult | undefined> {
    const probe = await probeServer(gateway, change.server, deploymentId, change, options.callTimeoutMs);
    if (!probe.alive) {
      health.markDown(change.server, `${error.message}; then ${probe.error.message}`);
      return undefined;
    }
    const found = probe.found;
    if (!found || (change.action !== "create" && change.action !== "replace")) return undefined;
    if (change.action === "replace" && found.id === change.id) return undefined;
    emit({
      type: "notice",
      level: "info",
      message: `${change.name}: the answer of ${change.server} was lost (${error.code}), but it made the resource (${found.id}); adopted it instead of sending the ${change.action} again`,
    });
    return { name: change.name, status: "succeeded", id: found.id, outputs: found.outputs };
  }

  async function callApply(
    server: string,
    change: Change,
  ): Promise<{ result?: OperationResult; error?: ProviderErrorBody }> {
    try {
      const envelope = await gateway.call(
        server,
        "applyDeployment",
        { deploymentId, changes: [change] },
        {
          ...(options.callTimeoutMs ? { timeoutMs: options.callTimeoutMs } : {}),
          onProgress: (message) => emit({ type: "change.progress", name: change.name, message }),
        },
      );
      if (!envelope.success)
        return { error: envelope.error ?? fail("INTERNAL", "the provider failed without an error") };
      const result = envelope.data?.results.find((entry) => entry.name === change.name);
      if (!result) return { error: fail("INTERNAL", `${server} returned no result for ${change.name}`) };
      if (result.status === "failed")
        return { error: result.error ?? fail("INTERNAL", "failed without an error") };
      return { result };
    } catch (thrown) {
      return { error: transportErrorBody(thrown) };
    }
  }
}

async function takeSnapshots(
  active: PlannedChange[],
  writer: StateWriter,
  gateway: ProviderGateway,
  options: ApplyOptions,
) {
  const servers = new Set(
    active.filter((change) => change.action !== "create").map((change) => change.server),
  );
  for (const server of servers) {
    try {
      const envelope = await gateway.call(server, "createSnapshot", { deploymentId: writer.state.name });
      if (envelope.success && envelope.data) {
        await writer.addSnapshot({
          server,
          snapshotId: envelope.data.snapshotId,
          createdAt: envelope.data.createdAt,
          runId: options.runId,
        });
      }
    } catch {
      options.emit({
        type: "notice",
        level: "warn",
        message: `${server} could not take a snapshot before changing existing resources`,
      });
    }
  }
}

/**
 * Undoes this run's changes in reverse order of completion — a valid reverse dependency order, since
 * nothing completed before what it depends on.
 */
async function rollbackApplied(
  applied: Applied[],
  planned: PlanResult,
  writer: StateWriter,
  gateway: ProviderGateway,
  catalog: TypeCatalog,
  options: ApplyOptions,
  health: ServerHealth,
): Promise<{ ok: boolean; steps: RollbackStep[] }> {
  const { emit } = options;
  const timeout = options.callTimeoutMs ? { timeoutMs: options.callTimeoutMs } : undefined;
  const steps: RollbackStep[] = [];
  emit({ type: "rollback.started", reason: "a change failed", changes: applied.length });
  const deploymentId = planned.plan.deployment;
  for (const { change, record, restore } of [...applied].reverse()) {
    const previous = planned.current.get(change.name);
    const step: RollbackStep = { name: change.name, action: "", status: "succeeded" };
    try {
      const down = health.down(change.server);
      if (down) {
        step.action = change.action === "create" ? "delete" : "restore";
        throw new Error(
          `not undone: provider server "${change.server}" stopped answering (${down}); ${change.name}${record ? ` (${record.id})` : ""} remains as applied, and state says so`,
        );
      }
      if (change.action === "create") {
        step.action = "delete";
        await undo(change, "delete", record!.id, undefined, async () => {
          const data = await gateway.call(
            change.server,
            "destroyDeployment",
            {
              deploymentId,
              resources: [
                {
                  type: change.type,
                  name: change.name,
                  id: record!.id,
                  properties: record!.properties,
                  outputs: record!.outputs,
                  status: "created",
                },
              ],
            },
            timeout,
          );
          return firstResult(data, change.name);
        });
      } else {
        if (!previous) throw new Error("its previous configuration is not in state");
        if (Object.values(previous.properties).some(isSecretDigest)) {
          throw new Error(
            `its secret properties are stored only as digests; restore it with \`agent rollback ${deploymentId}\` (provider snapshot)`,
          );
        }
        const action =
          change.action === "delete" ? "create" : change.action === "update" ? "update" : "replace";
        step.action = action === "create" ? "re-create" : `restore (${action})`;
        await undo(
          change,
          action,
          change.action === "delete" ? undefined : record?.id,
          previous,
          async () => {
            const data = await gateway.call(
              change.server,
              "applyDeployment",
              {
                deploymentId,
                changes: [
                  {
                    name: change.name,
                    type: change.type,
                    action,
                    diff: [],
                    after: previous.properties,
                    ...(action !== "create" && record ? { id: record.id, before: record.properties } : {}),
                  },
                ],
              },
              timeout,
            );
            return firstResult(data, change.name);
          },
        );
      }
      if (restore) await restoreRetired(writer, restore);
    } catch (error) {
      step.status = "failed";
      step.error = error instanceof Error ? error.message : String(error);
    }
    steps.push(step);
    emit({
      type: "rollback.change",
      name: step.name,
      action: step.action,
      status: step.status,
      ...(step.error ? { error: step.error } : {}),
    });
  }
  const ok = steps.every((step) => step.status === "succeeded");
  emit({ type: "rollback.finished", ok });
  return { ok, steps };

  async function undo(
    change: PlannedChange,
    action: "create" | "update" | "replace" | "delete",
    id: string | undefined,
    previous: ResourceRecord | undefined,
    call: () => Promise<OperationResult>,
  ): Promise<void> {
    const operation = await writer.beginOperation({
      runId: options.runId,
      name: change.name,
      type: change.type,
      server: change.server,
      action,
      ...(id ? { id } : {}),
    });
    let result: OperationResult;
    try {
      result = await call();
    } catch (error) {
      const body = transportErrorBody(error);
      if (body.code === "TIMEOUT" || serverBroken(body)) health.markDown(change.server, body.message);
      else await settleAgainstReality(writer, gateway, catalog, operation);
      throw error;
    }
    if (result.status === "failed") {
      await settleAgainstReality(writer, gateway, catalog, operation);
      throw new Error(`${result.error?.code}: ${result.error?.message}`);
    }
    if (action === "delete") {
      await writer.settleOperation(operation.opId, { remove: change.name });
      return;
    }
    const entry = planned.types.get(change.type);
    await writer.settleOperation(operation.opId, {
      put: makeRecord({
        name: change.name,
        type: change.type,
        server: change.server,
        id: result.id ?? id ?? "",
        properties: previous!.properties,
        outputs: result.outputs ?? {},
        dependsOn: previous!.dependsOn,
        info: entry?.info,
        secretKeys: planned.secrets.keys(change.name),
      }),
    });
  }
}

function maskTexts(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("(sensitive)");
  return out;
}

function firstResult(
  envelope: { success: boolean; data?: { results: OperationResult[] }; error?: ProviderErrorBody },
  name: string,
): OperationResult {
  if (!envelope.success) throw new Error(`${envelope.error?.code}: ${envelope.error?.message}`);
  const result = envelope.data?.results.find((entry) => entry.name === name);
  if (!result) throw new Error(`no result for ${name}`);
  return result;
}

/**
 * What a provider did before failing is not known for sure: ask it, so state stays true. If it
 * cannot answer now, the operation stays pending and the next run reconciles it.
 */
async function settleAgainstReality(
  writer: StateWriter,
  gateway: ProviderGateway,
  catalog: TypeCatalog,
  operation: PendingOperation,
): Promise<void> {
  try {
    await reconcileOperation(
      writer,
      gateway,
      catalog,
      new DeploymentListing(gateway, writer.state.name),
      operation,
    );
  } catch {
    // left pending
  }
}
