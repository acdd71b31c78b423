import { type ApplyOptions, type ApplyReport, applyPlan } from "../engine/apply.ts";
import { type PlanResult, planDeployment } from "../engine/plan.ts";
import type { Plan } from "../engine/plan-types.ts";
import type { Deployment } from "../engine/spec.ts";
import { decideWithModel } from "../planner/model-recovery.ts";
import { decideByRules, type FailedChange, type RecoveryAction } from "../recovery/rules.ts";
import type { StateWriter } from "../state/index.ts";
import { findingLine, type RunCatalog, redactSpec } from "./catalog.ts";
import type { RunContext } from "./context.ts";
import { recordPlan } from "./plan-step.ts";
import { remember } from "./remember.ts";
import type { GoalOutcome } from "./types.ts";

/** One apply of one run: its state writer, run id, and the catalog for revisions and memory. */
interface Lease {
  ctx: RunContext;
  catalog: RunCatalog;
  writer: StateWriter;
  runId: string;
}

const CANCELLED = "cancelled: nothing new was started; state records what exists";

/**
 * A goal whose plan would delete or replace what an existing deployment holds, when the goal did
 * not name that deployment: said before approval (every goal of one kind gets one derived name).
 */
export function touchesUnnamed(
  plan: Plan,
  writer: StateWriter,
  request: RunContext["request"],
): string | undefined {
  if (request.deploymentName || Object.keys(writer.state.resources).length === 0) return undefined;
  if (new RegExp(`\\b${plan.deployment.replace(/[-]/g, "\\-")}\\b`, "i").test(request.goal)) return undefined;
  const lost = plan.changes.filter((change) => change.action === "delete" || change.action === "replace");
  if (lost.length === 0) return undefined;
  return `this goal's plan would delete or replace ${lost.length} resource(s) (${lost
    .map((change) => change.name)
    .join(
      ", ",
    )}) of the existing deployment "${plan.deployment}", which the goal did not name; to change it on purpose run again with --name ${plan.deployment}, to build something separate give another --name`;
}

function summarizeState(writer: StateWriter): string {
  const records = Object.values(writer.state.resources);
  return records.length === 0
    ? "state holds no resources for this deployment"
    : records.map((record) => `${record.name} (${record.type}) id=${record.id}`).join("\n");
}

/** The person's answer, or "cancelled" when the run's signal fires first. */
async function askApproval(ctx: RunContext, plan: Plan): Promise<boolean | "cancelled"> {
  const signal = ctx.request.signal;
  if (!signal) return ctx.request.approve(plan);
  if (signal.aborted) return "cancelled";
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve("cancelled");
    signal.addEventListener("abort", onAbort, { once: true });
    ctx.request.approve(plan).then(
      (answer) => {
        signal.removeEventListener("abort", onAbort);
        resolve(answer);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** 4. Plan (refreshed, as `agent plan` is: drift shows before approval), plan policies, approval, apply. */
export async function planAndApply(lease: Lease, target: Deployment): Promise<GoalOutcome> {
  const { ctx, writer } = lease;
  const { request, report } = ctx;
  const result = await planDeployment(target, writer.state, ctx.gateway, { refresh: true });
  const unnamed = touchesUnnamed(result.plan, writer, request);
  const blocked = recordPlan(ctx, result.plan, () => {
    if (unnamed) ctx.emit({ type: "notice", level: "warn", message: unnamed });
  });
  if (blocked) {
    report.reason = blocked;
    return "blocked";
  }
  if (request.dryRun) return "planned";
  if (!result.plan.changes.some((change) => change.action !== "noop")) return "nothing-to-do";
  if (unnamed && request.yes) {
    report.reason = `${unnamed} (--yes does not approve that)`;
    return "not-approved";
  }
  const answer = await askApproval(ctx, result.plan);
  if (answer === "cancelled") return cancel(ctx);
  report.approved = answer;
  if (!report.approved) return "not-approved";
  return applyWithRecovery(lease, target, result);
}

function cancel(ctx: RunContext): GoalOutcome {
  ctx.report.reason = CANCELLED;
  return "cancelled";
}

function applyOnce(lease: Lease, planned: PlanResult): Promise<ApplyReport> {
  const { ctx } = lease;
  const { request } = ctx;
  // On the signal the engine starts nothing new and lets in-flight changes finish and be recorded.
  const options: ApplyOptions = {
    runId: lease.runId,
    emit: ctx.emit,
    rollback: false,
    ...(request.parallelism ? { parallelism: request.parallelism } : {}),
    ...(request.perServer ? { perServer: request.perServer } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  };
  return applyPlan(planned, lease.writer, ctx.gateway, options);
}

function failedChanges(applied: ApplyReport, planned: PlanResult): FailedChange[] {
  return applied.results
    .filter((result) => result.status === "failed")
    .map((result) => ({
      name: result.name,
      type: planned.plan.changes.find((change) => change.name === result.name)?.type ?? "",
      action: result.action,
      error: { code: result.error?.code ?? "INTERNAL", message: result.error?.message ?? "" },
    }));
}

/** What to do about a failed attempt: the budget's rollback, the model's decision, or the rules'. */
async function decide(
  lease: Lease,
  attempt: number,
  current: Deployment,
  planned: PlanResult,
  failed: FailedChange[],
  decisions: RecoveryAction[],
): Promise<{ decision: RecoveryAction; by: "model" | "rules" }> {
  const { ctx } = lease;
  const budget = ctx.request.recoveryBudget ?? 3;
  if (attempt >= budget)
    return {
      decision: { action: "rollback", reason: `the recovery budget (${budget}) is spent` },
      by: "rules",
    };
  if (ctx.model) {
    ctx.setPurpose("recover");
    const decision = await decideWithModel({
      model: ctx.model,
      goal: ctx.request.goal,
      spec: redactSpec(current, planned.types),
      failed,
      stateSummary: summarizeState(lease.writer),
      ...(ctx.request.signal ? { signal: ctx.request.signal } : {}),
      onEvent: (event) => ctx.emit(event.type === "model.call" ? ctx.modelCallEvent(event) : event),
    });
    return { decision, by: "model" };
  }
  const lessons = [];
  for (const change of failed) {
    const hits = await ctx.services.memory.findLessons(
      { errorCode: change.error.code, type: change.type },
      3,
    );
    lessons.push(...hits.map((hit) => hit.item));
  }
  return { decision: decideByRules(failed, decisions, lessons), by: "rules" };
}

/** A model call the person's Ctrl-C stopped is a cancellation, not a recovery failure. */
async function decideUnlessCancelled(
  ...args: Parameters<typeof decide>
): Promise<Awaited<ReturnType<typeof decide>> | "cancelled"> {
  try {
    return await decide(...args);
  } catch (error) {
    if (args[0].ctx.cancelled()) return "cancelled";
    throw error;
  }
}

/** A revision's spec, validated; a rollback's reason when it does not validate. */
async function revise(
  lease: Lease,
  current: Deployment,
  spec: unknown,
): Promise<Deployment | { rollback: string }> {
  const { ctx } = lease;
  const revision = await lease.catalog.validate(spec);
  const errors = revision.findings.filter((finding) => finding.severity === "error");
  if (!revision.deployment || errors.length > 0) {
    // A revision that does not validate is never applied; what this run did is undone instead.
    return {
      rollback: `the revised spec is not valid (${errors.map(findingLine).join("; ") || "unreadable"})`,
    };
  }
  if (revision.deployment.name !== current.name) {
    ctx.emit({
      type: "notice",
      level: "warn",
      message: `the revision renamed the deployment; keeping ${current.name}`,
    });
  }
  const next = { ...revision.deployment, name: current.name } as Deployment;
  ctx.emit({
    type: "spec.ready",
    deployment: next.name,
    resources: next.resources.length,
    source: "revision",
  });
  return next;
}

/** Undoes every attempt of this run, the latest first. */
async function rollbackRun(ctx: RunContext, reason: string): Promise<GoalOutcome> {
  let ok = true;
  for (const attemptReport of [...ctx.report.attempts].reverse()) {
    const undone = await attemptReport.undo?.();
    if (undone && !undone.ok) ok = false;
  }
  ctx.report.reason = reason;
  return ok ? "rolled-back" : "failed";
}

/**
 * Retry and revise both re-plan from what now exists; the re-plan goes through the same plan
 * step as the first. A plan that is not a subset of the last approved one needs its own approval.
 */
async function replan(
  lease: Lease,
  current: Deployment,
  previous: PlanResult,
  revised: boolean,
): Promise<PlanResult | GoalOutcome> {
  const { ctx } = lease;
  const replanned = await planDeployment(current, lease.writer.state, ctx.gateway);
  const blocked = recordPlan(ctx, replanned.plan);
  if (blocked) {
    ctx.report.reason = blocked;
    return "blocked";
  }
  const subset = replanned.plan.changes.every(
    (change) =>
      change.action === "noop" ||
      previous.plan.changes.some(
        (earlier) => earlier.name === change.name && earlier.action === change.action,
      ),
  );
  if (revised || !subset) {
    const answer = await askApproval(ctx, replanned.plan);
    if (answer === "cancelled") return cancel(ctx);
    if (!answer) return "not-approved";
  }
  return replanned;
}

/** Apply, and on failure decide (retry, revise, rollback, abort) until it succeeds or stops. */
async function applyWithRecovery(lease: Lease, target: Deployment, first: PlanResult): Promise<GoalOutcome> {
  const { ctx } = lease;
  let current = target;
  let planned = first;
  const decisions: RecoveryAction[] = [];
  for (let attempt = 0; ; attempt++) {
    const applied = await applyOnce(lease, planned);
    ctx.report.attempts.push(applied);
    if (applied.outcome === "succeeded" || applied.outcome === "nothing-to-do") {
      await remember(ctx, lease.catalog, current, decisions, lease.writer);
      return "succeeded";
    }
    // Cancelled: no recovery and no rollback; what the apply did is in state as it is.
    if (ctx.cancelled()) return cancel(ctx);
    const decided = await decideUnlessCancelled(
      lease,
      attempt,
      current,
      planned,
      failedChanges(applied, planned),
      decisions,
    );
    if (decided === "cancelled") return cancel(ctx);
    const { decision, by } = decided;
    decisions.push(decision);
    ctx.report.recovery.push({ attempt: attempt + 1, by, action: decision.action, reason: decision.reason });
    ctx.emit({
      type: "recovery.decision",
      attempt: attempt + 1,
      action: decision.action,
      reason: decision.reason,
      by,
    });
    if (decision.action === "abort") {
      ctx.report.reason = decision.reason;
      return "failed";
    }
    if (decision.action === "rollback") return rollbackRun(ctx, decision.reason);
    if (decision.action === "revise") {
      const next = await revise(lease, current, decision.spec);
      if ("rollback" in next) return rollbackRun(ctx, next.rollback);
      current = next;
    }
    if (ctx.cancelled()) return cancel(ctx);
    const replanned = await replan(lease, current, planned, decision.action === "revise");
    if (typeof replanned === "string") return replanned;
    planned = replanned;
  }
}
