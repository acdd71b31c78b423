import type { Plan, PlannedChange } from "../../agent/engine/plan-types.ts";
import type { RunEvent } from "../../agent/events.ts";
import { eventLines, seconds, type TextLine, type Tone as TextTone } from "../event-text.ts";

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
  if (event.type === "plan.ready") {
    const types = Object.fromEntries(event.plan.changes.map((change) => [change.name, change.type]));
    return { ...append(transcript, [{ kind: "plan", plan: event.plan }]), types };
  }
  let planner = transcript.planner;
  if (event.type === "planner.selected") {
    // The header already says what serves; only a different answer is news.
    if (event.description === transcript.planner) return transcript;
    planner = event.description;
  }
  const added = append(transcript, eventLines(event, "chat").map(entryOf));
  const running = runningAfter(transcript, event);
  if (added === transcript && running === transcript.running) return transcript;
  return { ...added, running, planner };
}

/** A transcript line carries one tone: the first colour of the line's spans (bold shows as plain). */
function entryOf(spans: TextLine): NewEntry {
  const text = spans.map((span) => span.text).join("");
  for (const span of spans) if (span.tone && span.tone !== "bold") return line(text, INK_TONE[span.tone]);
  return line(text);
}

/** The event text's tones as Ink colours: dim text is Ink's gray. */
const INK_TONE: Record<Exclude<TextTone, "bold">, Tone> = {
  green: "green",
  red: "red",
  yellow: "yellow",
  cyan: "cyan",
  dim: "gray",
};

/** The live progress: which changes run, with their latest note. */
function runningAfter(transcript: Transcript, event: RunEvent): RunningChange[] {
  const without = (name: string) => transcript.running.filter((change) => change.name !== name);
  const update = (name: string, patch: Partial<RunningChange>) =>
    transcript.running.map((change) => (change.name === name ? { ...change, ...patch } : change));
  switch (event.type) {
    case "change.started": {
      const type = transcript.types[event.name];
      const running: RunningChange = {
        name: event.name,
        action: event.action,
        attempt: event.attempt,
        ...(type ? { type } : {}),
      };
      return [...without(event.name), running];
    }
    case "change.progress":
      return update(event.name, { progress: event.message });
    case "change.retrying":
      return update(event.name, {
        retrying: `${event.error.code}: ${event.error.message}; retrying in ${seconds(event.delayMs)}`,
      });
    case "change.succeeded":
    case "change.failed":
    case "change.skipped":
      return without(event.name);
    case "apply.finished":
    case "destroy.finished":
      return [];
    default:
      return transcript.running;
  }
}
