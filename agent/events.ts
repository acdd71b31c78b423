import type { EngineEvent } from "./engine/events.ts";
import type { StopReason } from "./llm/types.ts";
import type { PlannerProgressEvent, RecoveryProgressEvent } from "./planner/events.ts";

export type { ApplyOutcome, EngineEvent } from "./engine/events.ts";

/**
 * Everything a run reports, as one discriminated union. The CLI printer, `--json` and the TUI only
 * consume these; the engine never writes to a screen.
 */
export type RunEvent =
  | { type: "run.started"; command: string; deployment: string; runId: string }
  | EngineEvent
  | { type: "planner.selected"; planner: "model" | "offline" | "memory"; description: string }
  | { type: "planner.understood"; summary: string }
  | {
      type: "planner.submission";
      attempt: number;
      errors: number;
      warnings: number;
      /** The submission passed; absent in events recorded before the planner said so. */
      accepted?: boolean;
      /** The errors sent back to the model, one line each. */
      messages: string[];
    }
  /** The planner's look-ups and nudges, and recovery's nudges: kinds of this union, not a side channel. */
  | PlannerProgressEvent
  | RecoveryProgressEvent
  | ({ type: "model.call" } & ModelCallRecord & ModelTurn)
  | {
      type: "spec.ready";
      deployment: string;
      resources: number;
      source: "model" | "offline" | "memory" | "revision";
    }
  | { type: "policy.findings"; stage: "deployment" | "plan"; blocked: boolean; findings: PolicyFindingView[] }
  | {
      type: "recovery.decision";
      attempt: number;
      action: "retry" | "revise" | "rollback" | "abort";
      reason: string;
      by: "model" | "rules";
    }
  | { type: "memory.saved"; patternId: string; lessons: number }
  | { type: "memory.reused"; patternId: string; goal: string; score: number };

/** A policy finding as events carry it. */
export interface PolicyFindingView {
  policy: string;
  enforcement: "advisory" | "mandatory" | "disabled";
  resource?: string;
  path?: string;
  message: string;
}

/** Which prompt and turn a model call served, when the planner or recovery made it. */
export interface ModelTurn {
  prompt?: string;
  turn?: number;
  stopReason?: StopReason;
}

export type EventSink = (event: RunEvent) => void;

export const ignoreEvents: EventSink = () => {};

/** An event as it leaves the run: numbered in order from 1 and timed, by the sink, not the call site. */
export type StampedEvent = RunEvent & { seq: number; ts: string };

export type StampedSink = (event: StampedEvent) => void;

/**
 * A sink that numbers and times every event before `consumer` sees it. One counter per sink, so a
 * stream's events are 1, 2, 3… whichever layer emitted them.
 */
export function stampEvents(consumer: StampedSink, now: () => Date = () => new Date()): EventSink {
  let seq = 0;
  return (event) => consumer({ ...event, seq: ++seq, ts: now().toISOString() });
}

/** One event as one line of JSON Lines (`--json-stream`): no inner newline, one `\n` at the end. */
export function eventLine(event: RunEvent | StampedEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/** One model call: what it was for, which model, tokens (cached and not) and latency. */
export interface ModelCallRecord {
  purpose: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  latencyMs: number;
}
