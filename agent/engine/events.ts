import type { ProviderErrorBody } from "../../tools/protocol/index.ts";
import type { Plan, PlannedChange } from "./plan-types.ts";

/** "cancelled": the run's signal stopped it; what was in flight finished and is recorded, nothing more started. */
export type ApplyOutcome = "succeeded" | "failed" | "rolled-back" | "partial" | "nothing-to-do" | "cancelled";

/**
 * What the engine reports while it plans, applies, destroys, refreshes and reconciles. The run's
 * union (agent/events.ts) contains these kinds; the engine knows nothing of the layers above it.
 */
export type EngineEvent =
  | { type: "notice"; level: "info" | "warn"; message: string }
  | { type: "reconcile.started"; pending: number }
  | {
      type: "reconcile.resolved";
      name: string;
      action: string;
      outcome: "adopted" | "removed" | "refreshed" | "dropped";
    }
  | { type: "plan.ready"; plan: Plan }
  | { type: "apply.started"; total: number; parallelism: number }
  | { type: "change.started"; name: string; action: PlannedChange["action"]; server: string; attempt: number }
  | { type: "change.retrying"; name: string; attempt: number; delayMs: number; error: ProviderErrorBody }
  /** A long operation the provider reports as alive (a cloud resource still creating, a rollout). */
  | { type: "change.progress"; name: string; message: string }
  | {
      type: "change.succeeded";
      name: string;
      action: PlannedChange["action"];
      id?: string;
      durationMs: number;
    }
  | { type: "change.failed"; name: string; action: PlannedChange["action"]; error: ProviderErrorBody }
  | { type: "change.skipped"; name: string; reason: string }
  | { type: "check.failed"; name: string; check: string; message: string }
  | { type: "check.passed"; name: string; check: string }
  | { type: "rollback.started"; reason: string; changes: number }
  | { type: "rollback.change"; name: string; action: string; status: "succeeded" | "failed"; error?: string }
  | { type: "rollback.finished"; ok: boolean }
  | {
      type: "apply.finished";
      outcome: ApplyOutcome;
      succeeded: number;
      failed: number;
      skipped: number;
      durationMs: number;
    }
  // Destroy's own start and end (its changes report as change.* like apply's).
  | { type: "destroy.started"; total: number; parallelism: number }
  | {
      type: "destroy.finished";
      outcome: ApplyOutcome;
      succeeded: number;
      failed: number;
      skipped: number;
      durationMs: number;
    }
  | { type: "drift"; name: string; kind: "changed" | "deleted"; paths: string[] };

export type EventSink = (event: EngineEvent) => void;
