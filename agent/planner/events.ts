import type { StopReason, TokenUsage } from "../llm/types.ts";

/** One model call, for cost and latency reporting; never carries prompt or answer text. */
export interface ModelCallEvent {
  type: "model.call";
  purpose: "plan" | "recovery";
  /** The system template in use, e.g. `planner-system.v1`, so eval records say which prompt ran. */
  prompt: string;
  turn: number;
  model: string;
  usage: TokenUsage;
  latencyMs: number;
  stopReason: StopReason;
}

/**
 * The planner's progress as the run reports it: these are kinds of the run's event union
 * (agent/events.ts), passed through as they are.
 */
export type PlannerProgressEvent =
  | { type: "planner.tool"; name: string; isError: boolean }
  | { type: "planner.nudge"; attempt: number; reason: string };

export type RecoveryProgressEvent = { type: "recovery.nudge"; reason: string };

/** What the planner emits; the run adds the rejected findings' text to a submission, the call's cost to a model.call. */
export type PlannerEvent =
  | ModelCallEvent
  | PlannerProgressEvent
  | { type: "planner.submission"; attempt: number; errors: number; warnings: number; accepted: boolean };

export type RecoveryEvent = ModelCallEvent | RecoveryProgressEvent;
