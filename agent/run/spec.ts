import { SENSITIVE } from "../engine/plan-types.ts";
import type { Deployment } from "../engine/spec.ts";
import { checkCandidate } from "../engine/validate.ts";
import type { LanguageModel } from "../llm/types.ts";
import { noteModelPlan } from "../planner/goal-coverage.ts";
import { type PlannerEvent, type PlanWithModelInput, planWithModel } from "../planner/model-planner.ts";
import { planOffline } from "../planner/offline/index.ts";
import { closedProperties, findingLine, type RunCatalog, redactSpec } from "./catalog.ts";
import type { RunContext } from "./context.ts";
import { plannerTools } from "./planner-tools.ts";
import type { GoalOutcome } from "./types.ts";

export type SpecSource = "model" | "offline" | "memory";

/** A spec to plan, or how the run ends without one. */
export type SpecStep =
  | { ok: true; deployment: Deployment; source: SpecSource }
  | { ok: false; outcome: GoalOutcome; reason: string };

type MemoryHits = Awaited<ReturnType<RunContext["services"]["memory"]["searchPatterns"]>>;

/** 1. Memory: a close remembered pattern is reused as is offline (the model sees it as an example). */
function reusePattern(ctx: RunContext, hits: MemoryHits): Deployment | undefined {
  const best = hits[0];
  const threshold = ctx.request.reuseThreshold ?? 0.8;
  // A pattern whose secrets were redacted when it was saved cannot be applied as it is.
  const reusable = best && !JSON.stringify(best.item.spec).includes(JSON.stringify(SENSITIVE));
  if (ctx.model || !best || !reusable || best.score < threshold) return undefined;
  ctx.report.planner = {
    kind: "memory",
    description: ctx.services.modelDescription,
    patternId: best.item.id,
  };
  ctx.emit({ type: "memory.reused", patternId: best.item.id, goal: best.item.goal, score: best.score });
  return best.item.spec as Deployment;
}

/** The planner's events are the run's: a submission gains its errors' text, a model call its cost. */
function forwardPlannerEvent(ctx: RunContext, catalog: RunCatalog, event: PlannerEvent): void {
  if (event.type === "model.call") ctx.emit(ctx.modelCallEvent(event));
  else if (event.type === "planner.submission") {
    const errors = catalog.lastFindings().filter((finding) => finding.severity === "error");
    ctx.emit({ ...event, messages: errors.map(findingLine) });
  } else ctx.emit(event);
}

async function specFromModel(
  ctx: RunContext,
  model: LanguageModel,
  catalog: RunCatalog,
  hits: MemoryHits,
): Promise<SpecStep> {
  const input: PlanWithModelInput = {
    goal: ctx.request.goal,
    model,
    schemas: catalog.schemas.map((info) => ({
      type: info.type,
      description: info.description,
      properties: info.properties,
      outputs: info.outputs,
      secretProperties: info.secretProperties,
    })),
    examples: hits.map((hit) => ({ goal: hit.item.goal, spec: hit.item.spec })),
    tools: plannerTools(ctx, catalog),
    validate: catalog.validate,
    ...(ctx.request.repairBudget ? { repairBudget: ctx.request.repairBudget } : {}),
    ...(ctx.request.signal ? { signal: ctx.request.signal } : {}),
    onEvent: (event) => forwardPlannerEvent(ctx, catalog, event),
  };
  try {
    const result = await planWithModel(input);
    if (!result.ok) return { ok: false, outcome: "planner-failed", reason: result.reason };
    // Goal elements are planned or named as left out, as the offline planner does (goal-coverage.ts).
    noteModelPlan(ctx.report, ctx.emit, ctx.request.goal, result);
    return { ok: true, deployment: result.deployment as Deployment, source: "model" };
  } catch (error) {
    // A model call the person's Ctrl-C stopped is a cancellation, not a model failure.
    if (ctx.cancelled()) return { ok: false, outcome: "cancelled", reason: "cancelled while planning" };
    throw error;
  }
}

/**
 * The offline planner builds from the goal alone; what servers offer only declines a blueprint whose
 * types none offers, or drops properties a server does not describe, and it looks up only the types it
 * built. So it plans once to learn those types, the catalog describes just their servers, and it plans
 * again against them: the same spec as against every server, without starting the unused ones.
 */
async function specOffline(ctx: RunContext, catalog: RunCatalog): Promise<SpecStep> {
  const named = ctx.request.deploymentName ? { deploymentName: ctx.request.deploymentName } : {};
  const draft = planOffline(ctx.request.goal, named);
  // A goal it declines is declined whatever the servers offer.
  if (draft.kind === "planned")
    await catalog.cover(draft.deployment.resources.map((resource) => resource.type));
  const offline =
    draft.kind === "planned"
      ? planOffline(ctx.request.goal, {
          availableTypes: [...catalog.typeInfo.keys()],
          ...named,
          typeProperties: closedProperties(catalog.typeInfo.values()),
        })
      : draft;
  if (offline.kind === "declined") {
    ctx.emit({ type: "planner.understood", summary: `Offline planner: ${offline.reason}` });
    return { ok: false, outcome: "declined", reason: offline.reason };
  }
  // Every element of the goal is planned or named here as left out, and why.
  const notes = offline.understanding.notes;
  const summary =
    notes.length > 0 ? `${offline.summary}\nNotes:\n  - ${notes.join("\n  - ")}` : offline.summary;
  ctx.report.planner.summary = summary;
  ctx.emit({ type: "planner.understood", summary });
  return { ok: true, deployment: offline.deployment as Deployment, source: "offline" };
}

/** 2. The spec, from memory, the model or the offline planner; then --name, then the checks. */
export async function chooseSpec(ctx: RunContext, catalog: RunCatalog): Promise<SpecStep> {
  const hits = await ctx.services.memory.searchPatterns(ctx.request.goal, { limit: 3 });
  const reused = reusePattern(ctx, hits);
  const step: SpecStep = reused
    ? { ok: true, deployment: reused, source: "memory" }
    : ctx.model
      ? await specFromModel(ctx, ctx.model, catalog, hits)
      : await specOffline(ctx, catalog);
  if (!step.ok) return step;
  const { deployment } = step;
  const named = ctx.request.deploymentName;
  // --name wins over whatever the planner or memory called it.
  const renamed = named && deployment.name !== named ? { ...deployment, name: named } : deployment;
  return checkSpec(ctx, catalog, renamed, step.source);
}

/** The spec is checked whichever way it came; a bad one never reaches a provider's apply. */
async function checkSpec(
  ctx: RunContext,
  catalog: RunCatalog,
  candidate: Deployment,
  source: SpecSource,
): Promise<SpecStep> {
  const checked = await checkCandidate(candidate, ctx.gateway, "the planned spec");
  if (!checked.deployment || checked.errors.length > 0) {
    const problems = checked.errors.map(
      (issue) => `${issue.resource ? `${issue.resource}: ` : ""}${issue.path}: ${issue.message}`,
    );
    return {
      ok: false,
      outcome: "planner-failed",
      reason: `the ${source} spec is not valid:\n  - ${problems.join("\n  - ")}`,
    };
  }
  const deployment = checked.deployment;
  // A remembered spec's types may not be described yet (the offline planner's are).
  await catalog.cover(deployment.resources.map((resource) => resource.type));
  for (const resource of deployment.resources) {
    for (const key of catalog.typeInfo.get(resource.type)?.secretProperties ?? [])
      ctx.scrubber.add(resource.properties[key]);
  }
  ctx.report.spec = redactSpec(deployment, checked.types);
  ctx.emit({
    type: "spec.ready",
    deployment: deployment.name,
    resources: deployment.resources.length,
    source,
  });
  return { ok: true, deployment, source };
}
