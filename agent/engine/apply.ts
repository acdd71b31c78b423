import type { StateWriter } from "../state/index.ts";
import { runChange } from "./apply-change.ts";
import { ApplyContext, type ApplyOptions, type ApplyReport, type ChangeResult } from "./apply-context.ts";
import { retireReplaced } from "./create-before-destroy.ts";
import type { ApplyOutcome } from "./events.ts";
import { executeGraph, type GraphOutcome } from "./executor.ts";
import type { ProviderGateway } from "./gateway.ts";
import type { PlanResult } from "./plan.ts";
import type { PlannedChange } from "./plan-types.ts";
import { rollbackApplied } from "./rollback.ts";
import type { ScheduleNode } from "./scheduler.ts";

export type {
  ApplyOptions,
  ApplyReport,
  ChangeResult,
  RollbackReport,
  RollbackStep,
} from "./apply-context.ts";

/**
 * Applies a plan with the graph executor of design §5: a change starts as soon as what it depends
 * on has succeeded, the longest remaining path first, under global and per-server limits. Each
 * provider call is recorded as pending in state before it is made and settled after.
 */
export async function applyPlan(
  planned: PlanResult,
  writer: StateWriter,
  gateway: ProviderGateway,
  options: ApplyOptions,
): Promise<ApplyReport> {
  const started = performance.now();
  const ctx = new ApplyContext(planned, writer, gateway, options);
  const active = planned.plan.changes.filter((change) => change.action !== "noop");
  for (const change of planned.plan.changes)
    if (change.action === "noop") ctx.results.set(change.name, unchanged(change));
  if (active.length === 0)
    return {
      outcome: "nothing-to-do",
      results: [...ctx.results.values()],
      durationMs: performance.now() - started,
    };

  await takeSnapshots(ctx, active);
  const changes = new Map(active.map((change) => [change.name, change]));
  const nodes: ScheduleNode[] = active.map((change) => ({
    id: change.name,
    server: change.server,
    deps: change.deps.filter((dependency) => changes.has(dependency)),
  }));
  const parallelism = options.parallelism ?? 10;
  options.emit({ type: "apply.started", total: active.length, parallelism });
  const run = await executeGraph(nodes, (node) => runChange(ctx, changes.get(node.id)!), {
    parallelism,
    ...(options.perServer ? { perServer: options.perServer } : {}),
    onFailure: "halt",
    signal: options.signal,
    onSkipped: (name, cause) => ctx.skip(changes.get(name)!, `${cause} failed`),
  });
  const reason = run.failed ? "the apply stopped after a failure" : "the apply was cancelled";
  for (const name of run.notStarted) ctx.skip(changes.get(name)!, reason);
  const rollback = options.rollback ?? true;
  await retireReplaced(ctx.retired, { failed: run.failed, rollback }, writer, gateway, options);
  return finish(ctx, run, started);
}

async function finish(ctx: ApplyContext, run: GraphOutcome, started: number): Promise<ApplyReport> {
  let outcome: ApplyOutcome = run.failed ? "partial" : run.cancelled ? "cancelled" : "succeeded";
  let rollbackReport: ApplyReport["rollback"];
  if (run.failed && (ctx.options.rollback ?? true)) {
    rollbackReport = await rollbackApplied(ctx);
    outcome = rollbackReport.ok ? "rolled-back" : "failed";
  }
  const counts = [...ctx.results.values()];
  const durationMs = performance.now() - started;
  ctx.emit({
    type: "apply.finished",
    outcome,
    succeeded: counts.filter((result) => result.status === "succeeded").length,
    failed: counts.filter((result) => result.status === "failed").length,
    skipped: counts.filter((result) => result.status === "skipped").length,
    durationMs,
  });
  const report: ApplyReport = {
    outcome,
    results: ctx.planned.plan.changes.map((change) => ctx.results.get(change.name)!).filter(Boolean),
    ...(rollbackReport ? { rollback: rollbackReport } : {}),
    durationMs,
  };
  // Kept out of JSON: a later decision (the agent's recovery) may still undo what this apply did.
  Object.defineProperty(report, "undo", {
    enumerable: false,
    value: () => (rollbackReport ? Promise.resolve(rollbackReport) : rollbackApplied(ctx)),
  });
  return report;
}

function unchanged(change: PlannedChange): ChangeResult {
  return {
    name: change.name,
    action: "noop",
    server: change.server,
    status: "unchanged",
    attempts: 0,
    ...(change.id ? { id: change.id } : {}),
  };
}

/** One provider snapshot per server whose existing resources this apply changes (design §5). */
async function takeSnapshots(ctx: ApplyContext, active: PlannedChange[]): Promise<void> {
  const servers = new Set(
    active.filter((change) => change.action !== "create").map((change) => change.server),
  );
  for (const server of servers) {
    try {
      const envelope = await ctx.gateway.call(server, "createSnapshot", {
        deploymentId: ctx.writer.state.name,
      });
      if (envelope.success && envelope.data) {
        await ctx.writer.addSnapshot({
          server,
          snapshotId: envelope.data.snapshotId,
          createdAt: envelope.data.createdAt,
          runId: ctx.options.runId,
        });
      }
    } catch {
      ctx.emit({
        type: "notice",
        level: "warn",
        message: `${server} could not take a snapshot before changing existing resources`,
      });
    }
  }
}
