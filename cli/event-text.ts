import type { RunEvent } from "../agent/events.ts";

/**
 * The words of a run's events, written once for both places that show them: the one-shot commands'
 * printer ("terminal", Terraform's wording) and the chat's transcript ("chat", a glyph per outcome).
 * Each surface paints the spans its own way; only what differs between them is chosen here by surface.
 */
export type Surface = "terminal" | "chat";
export type Tone = "green" | "red" | "yellow" | "cyan" | "dim" | "bold";
export interface Span {
  text: string;
  tone?: Tone;
}
/** One line of output; no spans is an empty line. */
export type TextLine = Span[];

/** Events that read as lines; a plan is drawn by each surface itself (a table, an Ink component). */
export type TextEvent = Exclude<RunEvent, { type: "plan.ready" }>;

/** What the terminal printer knows beyond the event: how long the change has been running. */
export interface EventTextContext {
  elapsedMs?: number;
}

export const DOING = {
  create: "Creating",
  update: "Modifying",
  replace: "Replacing",
  delete: "Destroying",
  noop: "Reading",
} as const;

const DONE = {
  terminal: {
    create: "Creation",
    update: "Modifications",
    replace: "Replacement",
    delete: "Destruction",
    noop: "Read",
  },
  chat: { create: "created", update: "updated", replace: "replaced", delete: "destroyed", noop: "read" },
} as const;

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : `${(ms / 1000).toFixed(1)}s`;
}

const one = (text: string, tone?: Tone): TextLine[] => [[tone ? { text, tone } : { text }]];

export function eventLines(event: TextEvent, surface: Surface, context: EventTextContext = {}): TextLine[] {
  switch (event.type) {
    case "change.started":
    case "change.progress":
    case "change.retrying":
    case "change.succeeded":
    case "change.failed":
    case "change.skipped":
    case "check.passed":
    case "check.failed":
      return changeLines(event, surface, context);
    case "planner.selected":
    case "planner.understood":
    case "planner.submission":
    case "model.call":
    case "spec.ready":
    case "policy.findings":
    case "recovery.decision":
    case "memory.saved":
    case "memory.reused":
    case "planner.tool":
    case "planner.nudge":
    case "recovery.nudge":
      return plannerLines(event, surface);
    default:
      return runLines(event, surface);
  }
}

type ChangeEvent = Extract<TextEvent, { type: `change.${string}` | `check.${string}` }>;

function changeLines(event: ChangeEvent, surface: Surface, context: EventTextContext): TextLine[] {
  const chat = surface === "chat";
  switch (event.type) {
    case "change.started": {
      const attempt = event.attempt > 1 ? ` (attempt ${event.attempt})` : "";
      return chat
        ? []
        : [[{ text: event.name, tone: "bold" }, { text: `: ${DOING[event.action]}…${attempt}` }]];
    }
    case "change.progress": {
      const elapsed = context.elapsedMs === undefined ? "" : ` [${seconds(context.elapsedMs)} elapsed]`;
      return chat ? [] : one(`${event.name}: ${event.message}${elapsed}`, "dim");
    }
    case "change.retrying": {
      const note = `${event.error.code}: ${event.error.message}; retrying in ${seconds(event.delayMs)}`;
      return one(`${chat ? "↻ " : ""}${event.name}: ${note}`, "yellow");
    }
    case "change.succeeded": {
      const id = event.id && event.action !== "delete" ? ` [id=${event.id}]` : "";
      if (chat)
        return one(
          `✓ ${event.name} ${DONE.chat[event.action]} in ${seconds(event.durationMs)}${id}`,
          "green",
        );
      const took = seconds(context.elapsedMs ?? event.durationMs);
      const line: TextLine = [
        { text: event.name, tone: "bold" },
        { text: `: ${DONE.terminal[event.action]} complete after ${took}` },
      ];
      return [id ? [...line, { text: id, tone: "dim" }] : line];
    }
    case "change.failed":
      return one(
        `${chat ? "✗ " : "Error: "}${event.name}: ${event.error.code}: ${event.error.message}`,
        "red",
      );
    case "change.skipped":
      return one(
        chat ? `– ${event.name} skipped (${event.reason})` : `${event.name}: skipped (${event.reason})`,
        "dim",
      );
    case "check.passed":
      return one(`${chat ? "  " : ""}${event.name}: check passed: ${event.check}`, "dim");
    case "check.failed":
      return one(`${chat ? "✗ " : ""}${event.name}: check failed: ${event.check}: ${event.message}`, "red");
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
    }
  }
}

type RunStepEvent = Exclude<TextEvent, ChangeEvent | PlannerEvent>;

function runLines(event: RunStepEvent, surface: Surface): TextLine[] {
  const chat = surface === "chat";
  switch (event.type) {
    case "run.started":
      return [];
    case "notice":
      return event.level === "warn" ? one(`Warning: ${event.message}`, "yellow") : one(event.message);
    case "reconcile.started":
      return one(`Reconciling ${event.pending} operation(s) left pending by an interrupted run…`, "yellow");
    case "reconcile.resolved":
      return one(`  ${event.name} (${event.action}): ${event.outcome}`, chat ? "dim" : undefined);
    case "apply.started":
      return chat
        ? one(`Applying ${event.total} change(s), ${event.parallelism} at a time…`, "dim")
        : one(`Applying ${event.total} changes (parallelism ${event.parallelism}); printing failures only…`);
    case "rollback.started":
      return one(`Rolling back ${event.changes} change(s) of this run (${event.reason})…`, "yellow");
    case "rollback.change":
      if (event.status === "succeeded")
        return chat
          ? one(`  ↺ ${event.name}: ${event.action} done`, "yellow")
          : one(`  ${event.name}: ${event.action} done`);
      return one(`  ${chat ? "✗ " : ""}${event.name}: ${event.action} failed: ${event.error ?? ""}`, "red");
    case "rollback.finished":
      return event.ok
        ? one("Rollback complete.", "yellow")
        : one("Rollback incomplete: state records what remains.", "red");
    case "apply.finished":
      return applyFinished(event, surface);
    case "destroy.started":
      return chat
        ? one(`Deleting ${event.total} resource(s), ${event.parallelism} at a time…`, "dim")
        : one(`Deleting ${event.total} changes (parallelism ${event.parallelism}); printing failures only…`);
    case "destroy.finished":
      // Success is said once, by the destroy command ("Destroy complete!").
      if (event.outcome === "succeeded") return [];
      return [
        ...(chat ? [] : [[]]),
        [
          {
            text: `Destroy ${event.outcome}: ${event.succeeded} deleted, ${event.failed} failed, ${event.skipped} skipped.`,
            tone: "red",
          },
        ],
      ];
    case "drift":
      return event.kind === "deleted"
        ? one(`${event.name}: deleted outside mcp-iac`, "red")
        : one(`${event.name}: changed outside mcp-iac (${event.paths.join(", ")})`, "yellow");
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
    }
  }
}

function applyFinished(event: Extract<TextEvent, { type: "apply.finished" }>, surface: Surface): TextLine[] {
  const counts = `${event.succeeded} succeeded, ${event.failed} failed, ${event.skipped} skipped.`;
  const took = `${event.succeeded} change(s) in ${seconds(event.durationMs)}.`;
  if (surface === "terminal") {
    // Terraform's blank line before the verdict.
    if (event.outcome === "succeeded") return [[], [{ text: `Apply complete! ${took}`, tone: "green" }]];
    const how =
      event.outcome === "rolled-back"
        ? "failed and was rolled back"
        : event.outcome === "cancelled"
          ? "cancelled"
          : "failed";
    return [[], [{ text: `Apply ${how}: ${counts}`, tone: "red" }]];
  }
  if (event.outcome === "succeeded") return one(`Apply complete: ${took}`, "green");
  const how = event.outcome === "rolled-back" ? "failed and was rolled back" : event.outcome;
  return one(`Apply ${how}: ${counts}`, event.outcome === "nothing-to-do" ? undefined : "red");
}

type PlannerEvent = Extract<
  TextEvent,
  {
    type:
      | `planner.${string}`
      | "model.call"
      | "spec.ready"
      | "policy.findings"
      | `${"recovery" | "memory"}.${string}`;
  }
>;

function plannerLines(event: PlannerEvent, surface: Surface): TextLine[] {
  switch (event.type) {
    case "planner.selected":
      return one(event.description, "cyan");
    case "planner.understood":
      return one(event.summary);
    case "planner.submission":
      if (event.errors === 0) return one(`Submission ${event.attempt} accepted.`, "dim");
      return [
        ...one(
          `Submission ${event.attempt} has ${event.errors} problem(s); sent back to the model:`,
          "yellow",
        ),
        ...event.messages.slice(0, 8).flatMap((message) => one(`  - ${message}`, "dim")),
      ];
    case "model.call":
      return one(
        `model ${event.provider}:${event.model} (${event.purpose}) ${seconds(event.latencyMs)}, ${event.inputTokens} in (${event.cachedInputTokens} cached) / ${event.outputTokens} out`,
        "dim",
      );
    case "spec.ready":
      return [
        [
          { text: "Spec " },
          { text: event.deployment, tone: "bold" },
          { text: `: ${event.resources} resource(s) (${event.source}).` },
        ],
      ];
    case "policy.findings":
      return policyLines(event, surface);
    case "recovery.decision":
      return one(`Recovery ${event.attempt} (${event.by}): ${event.action} — ${event.reason}`, "yellow");
    case "memory.saved": {
      const lessons = event.lessons ? ` with ${event.lessons} lesson(s)` : "";
      const what = surface === "chat" ? "Remembered as" : "Remembered this deployment as";
      return one(`${what} pattern ${event.patternId}${lessons}.`, "dim");
    }
    case "memory.reused":
      return one(
        `Reusing remembered pattern ${event.patternId} (similarity ${event.score.toFixed(2)}) from: "${event.goal}"`,
      );
    case "planner.tool":
    case "planner.nudge":
    case "recovery.nudge":
      // The model's look-ups and nudges are for --json and the eval records, not the screen.
      return [];
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
    }
  }
}

function policyLines(event: Extract<TextEvent, { type: "policy.findings" }>, surface: Surface): TextLine[] {
  if (event.findings.length === 0) return one(`Policies (${event.stage}): no findings.`, "green");
  const lines = event.findings.map((finding): TextLine => {
    const where = [finding.resource, finding.path].filter(Boolean).join(": ");
    const text = ` ${finding.policy}${where ? ` ${where}` : ""}: ${finding.message}`;
    if (finding.enforcement === "mandatory") return [{ text: "MANDATORY", tone: "red" }, { text }];
    // The terminal pads the level so that findings line up.
    return [{ text: surface === "terminal" ? "advisory " : finding.enforcement, tone: "yellow" }, { text }];
  });
  if (event.blocked) lines.push(...one(`Blocked by mandatory policy (${event.stage}).`, "red"));
  return lines;
}
