import { isSecretDigest, type OperationResult } from "../../tools/protocol/index.ts";
import type { ResourceRecord } from "../state/index.ts";
import {
  type Applied,
  type ApplyContext,
  firstResult,
  type RollbackReport,
  type RollbackStep,
} from "./apply-context.ts";
import { restoreRetired } from "./create-before-destroy.ts";
import { executeGraph } from "./executor.ts";
import { transportErrorBody } from "./gateway.ts";
import { makeRecord } from "./records.ts";
import type { ScheduleNode } from "./scheduler.ts";
import { serverBroken } from "./server-health.ts";

type UndoAction = "create" | "update" | "replace" | "delete";

/**
 * Undoes this run's changes in reverse dependency order, through the same executor as apply: an
 * undo starts once the undos of everything that depended on it are done. A failed undo does not
 * stop the others (each leaves state saying what remains). Steps are reported in reverse order of
 * completion, as they would have run one at a time.
 */
export async function rollbackApplied(ctx: ApplyContext): Promise<RollbackReport> {
  const entries = [...ctx.applied].reverse();
  ctx.emit({ type: "rollback.started", reason: "a change failed", changes: entries.length });
  const position = new Map(entries.map((entry, index) => [entry.change.name, index]));
  const nodes: ScheduleNode[] = entries.map((entry, index) => ({
    id: String(index),
    server: entry.change.server,
    deps: [],
  }));
  for (const [index, entry] of entries.entries()) {
    for (const dependency of entry.change.deps) {
      const target = position.get(dependency);
      // What depended on `dependency` is undone before it.
      if (target !== undefined && target !== index) (nodes[target]!.deps as string[]).push(String(index));
    }
  }
  const steps: RollbackStep[] = new Array(entries.length);
  await executeGraph(
    nodes,
    async (node) => {
      const step = await undoOne(ctx, entries[Number(node.id)]!);
      steps[Number(node.id)] = step;
      ctx.emit({
        type: "rollback.change",
        name: step.name,
        action: step.action,
        status: step.status,
        ...(step.error ? { error: step.error } : {}),
      });
      return step.status === "succeeded";
    },
    {
      onFailure: "continue",
      parallelism: ctx.options.parallelism ?? 10,
      ...(ctx.options.perServer ? { perServer: ctx.options.perServer } : {}),
    },
  );
  const ok = steps.every((step) => step.status === "succeeded");
  ctx.emit({ type: "rollback.finished", ok });
  return { ok, steps };
}

async function undoOne(ctx: ApplyContext, { change, record, restore }: Applied): Promise<RollbackStep> {
  const step: RollbackStep = { name: change.name, action: "", status: "succeeded" };
  const previous = ctx.planned.current.get(change.name);
  try {
    const down = ctx.health.down(change.server);
    if (down) {
      step.action = change.action === "create" ? "delete" : "restore";
      throw new Error(
        `not undone: provider server "${change.server}" stopped answering (${down}); ${change.name}${record ? ` (${record.id})` : ""} remains as applied, and state says so`,
      );
    }
    if (change.action === "create") {
      step.action = "delete";
      await undo(ctx, change, "delete", record!.id, undefined, () => deleteCreated(ctx, change, record!));
    } else {
      if (!previous) throw new Error("its previous configuration is not in state");
      if (Object.values(previous.properties).some(isSecretDigest)) {
        throw new Error(
          `its secret properties are stored only as digests; restore it with \`agent rollback ${ctx.deploymentId}\` (provider snapshot)`,
        );
      }
      const action =
        change.action === "delete" ? "create" : change.action === "update" ? "update" : "replace";
      step.action = action === "create" ? "re-create" : `restore (${action})`;
      const id = change.action === "delete" ? undefined : record?.id;
      await undo(ctx, change, action, id, previous, () =>
        restorePrevious(ctx, change, action, previous, record),
      );
    }
    if (restore) await restoreRetired(ctx.writer, restore);
  } catch (error) {
    step.status = "failed";
    step.error = error instanceof Error ? error.message : String(error);
  }
  return step;
}

async function deleteCreated(
  ctx: ApplyContext,
  change: Applied["change"],
  record: ResourceRecord,
): Promise<OperationResult> {
  const resource = {
    type: change.type,
    name: change.name,
    id: record.id,
    properties: record.properties,
    outputs: record.outputs,
    status: "created" as const,
  };
  const envelope = await ctx.gateway.call(
    change.server,
    "destroyDeployment",
    { deploymentId: ctx.deploymentId, resources: [resource] },
    ctx.timeout,
  );
  return firstResult(envelope, change.name);
}

async function restorePrevious(
  ctx: ApplyContext,
  change: Applied["change"],
  action: UndoAction,
  previous: ResourceRecord,
  record: ResourceRecord | undefined,
): Promise<OperationResult> {
  const envelope = await ctx.gateway.call(
    change.server,
    "applyDeployment",
    {
      deploymentId: ctx.deploymentId,
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
    ctx.timeout,
  );
  return firstResult(envelope, change.name);
}

/** One undo as a pending operation in state, settled from the provider's answer (or against reality). */
async function undo(
  ctx: ApplyContext,
  change: Applied["change"],
  action: UndoAction,
  id: string | undefined,
  previous: ResourceRecord | undefined,
  call: () => Promise<OperationResult>,
): Promise<void> {
  const { writer } = ctx;
  const operation = await writer.beginOperation({
    runId: ctx.options.runId,
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
    // A hung or broken server gets nothing more in this run: the rest of the rollback goes on.
    if (body.code === "TIMEOUT" || serverBroken(body)) ctx.health.markDown(change.server, body.message);
    else await ctx.settleAgainstReality(operation);
    throw error;
  }
  if (result.status === "failed") {
    await ctx.settleAgainstReality(operation);
    throw new Error(`${result.error?.code}: ${result.error?.message}`);
  }
  if (action === "delete") {
    await writer.settleOperation(operation.opId, { remove: change.name });
    return;
  }
  const entry = ctx.planned.types.get(change.type);
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
      secretKeys: ctx.planned.secrets.keys(change.name),
    }),
  });
}
