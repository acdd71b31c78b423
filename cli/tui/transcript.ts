import type { Plan, PlannedChange } from "../../agent/engine/plan-types.ts";
import type { RunEvent } from "../../agent/events.ts";

/** The Ink colours a transcript line may carry (`undefined`: the terminal's own). */
export type Tone = "green" | "red" | "yellow" | "cyan" | "gray" | "magenta" | undefined;

/** One item of the chat transcript. Items never change once added (they print through <Static>). */
export type Entry =
  | { kind: "header"; id: number }
  | { kind: "goal"; id: number; text: string }
  | { kind: "line"; id: number; text: string; tone?: Tone; bold?: boolean }
  | { kind: "plan"; id: number; plan: Plan };

/** An entry before the transcript gives it an id. */
export type NewEntry = WithoutId<Entry>;
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;

export interface RunningChange {
  name: string;
  action: PlannedChange["action"];
  type?: string;
  attempt: number;
  /** Set while the engine waits to retry a transient error. */
  retrying?: string;
  /** The provider's latest word on a long operation. */
  progress?: string;
}

export interface Transcript {
  entries: Entry[];
  /** Bumped by /clear so that a fresh <Static> prints from the top again. */
  epoch: number;
  nextId: number;
  running: RunningChange[];
  /** Resource types by change name, from the latest plan, for the progress lines. */
  types: Record<string, string>;
  /** What the header says serves; `planner.selected` is logged only when it says something else. */
  planner: string;
}

export type TranscriptAction =
  | { type: "event"; event: RunEvent }
  | { type: "append"; entries: NewEntry[] }
  | { type: "run.ended" }
  | { type: "clear" };

export function initialTranscript(planner: string): Transcript {
  return { entries: [{ kind: "header", id: 0 }], epoch: 0, nextId: 1, running: [], types: {}, planner };
}

const DONE: Record<PlannedChange["action"], string> = {
  create: "created",
  update: "updated",
  replace: "replaced",
  delete: "destroyed",
  noop: "read",
};

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function line(text: string, tone?: Tone): NewEntry {
  return tone ? { kind: "line", text, tone } : { kind: "line", text };
}

function append(transcript: Transcript, entries: readonly NewEntry[]): Transcript {
  if (entries.length === 0) return transcript;
  let nextId = transcript.nextId;
  const added = entries.map((entry) => ({ ...entry, id: nextId++ }) as Entry);
  return { ...transcript, entries: [...transcript.entries, ...added], nextId };
}

export function transcriptReducer(transcript: Transcript, action: TranscriptAction): Transcript {
  switch (action.type) {
    case "event":
      return reduceEvent(transcript, action.event);
    case "append":
      return append(transcript, action.entries);
    case "run.ended":
      return { ...transcript, running: [] };
    case "clear":
      return {
        ...transcript,
        entries: [{ kind: "header", id: transcript.nextId }],
        nextId: transcript.nextId + 1,
        epoch: transcript.epoch + 1,
      };
    default: {
      const unreachable: never = action;
      throw new Error(`unhandled transcript action ${JSON.stringify(unreachable)}`);
    }
  }
}

/** What one run event adds to the transcript and to the live progress. */
export function reduceEvent(transcript: Transcript, event: RunEvent): Transcript {
  const without = (name: string) => transcript.running.filter((change) => change.name !== name);
  switch (event.type) {
    case "run.started":
      return transcript;
    case "notice":
      return append(transcript, [
        event.level === "warn" ? line(`Warning: ${event.message}`, "yellow") : line(event.message),
      ]);
    case "reconcile.started":
      return append(transcript, [
        line(`Reconciling ${event.pending} operation(s) left pending by an interrupted run…`, "yellow"),
      ]);
    case "reconcile.resolved":
      return append(transcript, [line(`  ${event.name} (${event.action}): ${event.outcome}`, "gray")]);
    case "plan.ready": {
      const types = Object.fromEntries(event.plan.changes.map((change) => [change.name, change.type]));
      return { ...append(transcript, [{ kind: "plan", plan: event.plan }]), types };
    }
    case "apply.started":
      return append(transcript, [
        line(`Applying ${event.total} change(s), ${event.parallelism} at a time…`, "gray"),
      ]);
    case "change.started": {
      const type = transcript.types[event.name];
      const running: RunningChange = {
        name: event.name,
        action: event.action,
        attempt: event.attempt,
        ...(type ? { type } : {}),
      };
      return { ...transcript, running: [...without(event.name), running] };
    }
    case "change.progress":
      return {
        ...transcript,
        running: transcript.running.map((change) =>
          change.name === event.name ? { ...change, progress: event.message } : change,
        ),
      };
    case "change.retrying": {
      const note = `${event.error.code}: ${event.error.message}; retrying in ${seconds(event.delayMs)}`;
      return {
        ...append(transcript, [line(`↻ ${event.name}: ${note}`, "yellow")]),
        running: transcript.running.map((change) =>
          change.name === event.name ? { ...change, retrying: note } : change,
        ),
      };
    }
    case "change.succeeded": {
      const id = event.id && event.action !== "delete" ? ` [id=${event.id}]` : "";
      return {
        ...append(transcript, [
          line(`✓ ${event.name} ${DONE[event.action]} in ${seconds(event.durationMs)}${id}`, "green"),
        ]),
        running: without(event.name),
      };
    }
    case "change.failed":
      return {
        ...append(transcript, [line(`✗ ${event.name}: ${event.error.code}: ${event.error.message}`, "red")]),
        running: without(event.name),
      };
    case "change.skipped":
      return {
        ...append(transcript, [line(`– ${event.name} skipped (${event.reason})`, "gray")]),
        running: without(event.name),
      };
    case "check.passed":
      return append(transcript, [line(`  ${event.name}: check passed: ${event.check}`, "gray")]);
    case "check.failed":
      return append(transcript, [
        line(`✗ ${event.name}: check failed: ${event.check}: ${event.message}`, "red"),
      ]);
    case "rollback.started":
      return append(transcript, [
        line(`Rolling back ${event.changes} change(s) of this run (${event.reason})…`, "yellow"),
      ]);
    case "rollback.change":
      return append(transcript, [
        event.status === "succeeded"
          ? line(`  ↺ ${event.name}: ${event.action} done`, "yellow")
          : line(`  ✗ ${event.name}: ${event.action} failed: ${event.error ?? ""}`, "red"),
      ]);
    case "rollback.finished":
      return append(transcript, [
        event.ok
          ? line("Rollback complete.", "yellow")
          : line("Rollback incomplete: state records what remains.", "red"),
      ]);
    case "apply.finished":
      return {
        ...append(transcript, [
          event.outcome === "succeeded"
            ? line(`Apply complete: ${event.succeeded} change(s) in ${seconds(event.durationMs)}.`, "green")
            : line(
                `Apply ${event.outcome === "rolled-back" ? "failed and was rolled back" : event.outcome}: ${event.succeeded} succeeded, ${event.failed} failed, ${event.skipped} skipped.`,
                event.outcome === "nothing-to-do" ? undefined : "red",
              ),
        ]),
        running: [],
      };
    case "drift":
      return append(transcript, [
        event.kind === "deleted"
          ? line(`${event.name}: deleted outside mcp-iac`, "red")
          : line(`${event.name}: changed outside mcp-iac (${event.paths.join(", ")})`, "yellow"),
      ]);
    case "planner.selected":
      // The header already says what serves; only a different answer is news.
      if (event.description === transcript.planner) return transcript;
      return { ...append(transcript, [line(event.description, "cyan")]), planner: event.description };
    case "planner.understood":
      return append(transcript, [line(event.summary)]);
    case "planner.submission":
      if (event.errors === 0)
        return append(transcript, [line(`Submission ${event.attempt} accepted.`, "gray")]);
      return append(transcript, [
        line(`Submission ${event.attempt} has ${event.errors} problem(s); sent back to the model:`, "yellow"),
        ...event.messages.slice(0, 8).map((message) => line(`  - ${message}`, "gray")),
      ]);
    case "model.call":
      return append(transcript, [
        line(
          `model ${event.provider}:${event.model} (${event.purpose}) ${seconds(event.latencyMs)}, ${event.inputTokens} in (${event.cachedInputTokens} cached) / ${event.outputTokens} out`,
          "gray",
        ),
      ]);
    case "spec.ready":
      return append(transcript, [
        line(`Spec ${event.deployment}: ${event.resources} resource(s) (${event.source}).`),
      ]);
    case "policy.findings": {
      if (event.findings.length === 0)
        return append(transcript, [line(`Policies (${event.stage}): no findings.`, "green")]);
      const lines = event.findings.map((finding) => {
        const where = [finding.resource, finding.path].filter(Boolean).join(": ");
        const text = `${finding.policy}${where ? ` ${where}` : ""}: ${finding.message}`;
        return finding.enforcement === "mandatory"
          ? line(`MANDATORY ${text}`, "red")
          : line(`${finding.enforcement} ${text}`, "yellow");
      });
      if (event.blocked) lines.push(line(`Blocked by mandatory policy (${event.stage}).`, "red"));
      return append(transcript, lines);
    }
    case "recovery.decision":
      return append(transcript, [
        line(`Recovery ${event.attempt} (${event.by}): ${event.action} — ${event.reason}`, "yellow"),
      ]);
    case "memory.saved":
      return append(transcript, [
        line(
          `Remembered as pattern ${event.patternId}${event.lessons ? ` with ${event.lessons} lesson(s)` : ""}.`,
          "gray",
        ),
      ]);
    case "memory.reused":
      return append(transcript, [
        line(
          `Reusing remembered pattern ${event.patternId} (similarity ${event.score.toFixed(2)}) from: "${event.goal}"`,
        ),
      ]);
    case "planner.tool":
    case "planner.nudge":
    case "recovery.nudge":
      // The model's look-ups and nudges are for --json and the eval records, not the chat.
      return transcript;
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
    }
  }
}
