import { withWriter } from "./operations.ts";
import { withGoalSecrets } from "./planner/goal-secrets.ts";
import { planAndApply } from "./run/apply.ts";
import { describeCatalog } from "./run/catalog.ts";
import { createRunContext, type RunContext } from "./run/context.ts";
import { checkDeploymentPolicies } from "./run/plan-step.ts";
import { chooseSpec } from "./run/spec.ts";
import type { AgentServices, GoalOutcome, GoalReport, GoalRequest } from "./run/types.ts";
import type { StateWriter } from "./state/index.ts";

export type { ModelCallRecord } from "./events.ts";
export type {
  AgentServices,
  GoalOutcome,
  GoalReport,
  GoalRequest,
  RecoveryRecord,
} from "./run/types.ts";

/** A run that changed nothing (a dry run, a refusal, a block, an early cancel) leaves state as it was. */
async function finishRun(
  ctx: RunContext,
  outcome: GoalOutcome,
  writer: StateWriter,
  runId: string,
): Promise<GoalReport> {
  const changedNothing =
    ["planned", "not-approved", "blocked"].includes(outcome) ||
    (outcome === "cancelled" && ctx.report.attempts.length === 0);
  if (!changedNothing)
    await writer.setLastRun({ runId, command: "agent", outcome, finishedAt: new Date().toISOString() });
  return ctx.finish(outcome, ctx.report.reason);
}

const CANCELLED_EARLY = "cancelled before anything was applied";

/**
 * The whole of `agent "<goal>"`: goal → spec (model, offline planner or memory) → policies → plan →
 * approval → apply → recovery → memory. Everything it does is an event; the report gathers it.
 * With `request.signal`, a cancel stops it between steps and ends it "cancelled".
 */
export async function runGoal(services: AgentServices, request: GoalRequest): Promise<GoalReport> {
  // Secrets typed in the goal become placeholders before anything reads it (goal-secrets.ts).
  ({ services, request } = withGoalSecrets(services, request));
  const ctx = createRunContext(services, request);
  ctx.emit({
    type: "planner.selected",
    planner: ctx.model ? "model" : "offline",
    description: services.modelDescription,
  });
  // What the configured servers offer: the model sees every schema, the offline planner the type list.
  const catalog = await describeCatalog(ctx);
  if (ctx.cancelled()) return ctx.finish("cancelled", CANCELLED_EARLY);
  const spec = await chooseSpec(ctx, catalog);
  if (!spec.ok) return ctx.finish(spec.outcome, spec.reason);
  if (ctx.cancelled()) return ctx.finish("cancelled", CANCELLED_EARLY);
  // 3. Policies on the spec.
  const blocked = checkDeploymentPolicies(ctx, spec.deployment);
  if (blocked) return ctx.finish("blocked", blocked);
  // 4. Plan, plan policies, approval, apply, recovery — under the deployment's lock.
  const lock = {
    ...(request.lockWaitMs ? { lockWaitMs: request.lockWaitMs } : {}),
    ...(request.forceUnlock ? { forceUnlock: true } : {}),
  };
  return withWriter(ctx.workspace, spec.deployment.name, "agent", lock, async (writer, runId) =>
    finishRun(ctx, await planAndApply({ ctx, catalog, writer, runId }, spec.deployment), writer, runId),
  );
}
