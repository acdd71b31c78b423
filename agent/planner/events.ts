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

export type PlannerEvent =
  | ModelCallEvent
  | { type: "planner.tool"; name: string; isError: boolean }
  | { type: "planner.submission"; attempt: number; errors: number; warnings: number; accepted: boolean }
  | { type: "planner.nudge"; attempt: number; reason: string };

export type RecoveryEvent = ModelCallEvent | { type: "recovery.nudge"; reason: string };
