import type { Pattern } from "../../memory/index.ts";
import type { Deployment } from "../engine/spec.ts";
import type { RecoveryAction } from "../recovery/rules.ts";
import type { StateWriter } from "../state/index.ts";
import type { RunCatalog } from "./catalog.ts";
import { redactSpec } from "./catalog.ts";
import type { RunContext } from "./context.ts";

/** Lessons from the failures a retry or revision got past: what failed, and what fixed it. */
async function saveLessons(ctx: RunContext, decisions: RecoveryAction[]): Promise<number> {
  const { report, scrubber } = ctx;
  let lessons = 0;
  for (const [index, decision] of decisions.entries()) {
    if (decision.action !== "retry" && decision.action !== "revise") continue;
    const attempt = report.attempts[index];
    for (const result of attempt?.results ?? []) {
      if (result.status !== "failed" || !result.error) continue;
      const type = report.plan?.changes.find((change) => change.name === result.name)?.type ?? "";
      await ctx.services.memory.saveLesson({
        errorCode: result.error.code,
        type,
        context: scrubber.scrub(`${result.action} ${result.name}: ${result.error.message}`),
        fix: scrubber.scrub(`${decision.action}: ${decision.reason}`),
      });
      lessons++;
    }
  }
  return lessons;
}

/** A run that succeeded is remembered: its spec (secrets redacted) as a pattern, and its lessons. */
export async function remember(
  ctx: RunContext,
  catalog: RunCatalog,
  target: Deployment,
  decisions: RecoveryAction[],
  writer: StateWriter,
): Promise<void> {
  const { report, services } = ctx;
  try {
    const types = new Map([...catalog.typeInfo].map(([type, info]) => [type, { info }]));
    const pattern: Pattern = await services.memory.savePattern({
      goal: ctx.request.goal,
      deployment: target.name,
      spec: redactSpec(target, types),
      providers: [...new Set(Object.values(writer.state.resources).map((record) => record.server))].sort(),
      outcome: "succeeded",
      planner:
        report.planner.kind === "model"
          ? `${services.model?.provider}:${services.model?.model}`
          : report.planner.kind,
    });
    // Saving the same goal and shape again already counted the use.
    if (report.planner.patternId && report.planner.patternId !== pattern.id) {
      await services.memory.markUsed(report.planner.patternId);
    }
    ctx.emit({ type: "memory.saved", patternId: pattern.id, lessons: await saveLessons(ctx, decisions) });
  } catch (error) {
    ctx.emit({
      type: "notice",
      level: "warn",
      message: `could not save to memory: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
