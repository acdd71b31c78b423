import type { MemoryStore } from "../../memory/index.ts";
import type { PolicySet } from "../../policies/index.ts";
import type { ApplyReport } from "../engine/apply.ts";
import type { Plan } from "../engine/plan-types.ts";
import type { Deployment } from "../engine/spec.ts";
import type { ModelCallRecord, PolicyFindingView } from "../events.ts";
import type { LanguageModel } from "../llm/types.ts";
import type { Workspace } from "../operations.ts";
import type { RecoveryAction } from "../recovery/rules.ts";
import type { SecretScrubber } from "../secrets.ts";

export interface AgentServices {
  workspace: Workspace;
  /** The configured server names, so the planner can see every schema. */
  servers: string[];
  policies: PolicySet;
  memory: MemoryStore;
  /** Absent: the offline planner serves. */
  model: LanguageModel | undefined;
  modelDescription: string;
  scrubber: SecretScrubber;
}

export interface GoalRequest {
  goal: string;
  approve(plan: Plan): Promise<boolean>;
  dryRun?: boolean;
  parallelism?: number;
  perServer?: Record<string, number>;
  /** Recovery decisions before giving up and rolling back (default 3). */
  recoveryBudget?: number;
  /** Rejected submissions before the model planner gives up (default 3). */
  repairBudget?: number;
  /** Similarity at or above which a remembered pattern is reused as is (offline) or shown first. */
  reuseThreshold?: number;
  lockWaitMs?: number;
  forceUnlock?: boolean;
  /** The deployment's name (--name), whatever the planner would call it. */
  deploymentName?: string;
  /** Approval is automatic (--yes): a plan that touches a deployment the goal did not name is refused. */
  yes?: boolean;
  /**
   * Stops the run: nothing new starts, operations in flight finish and are recorded, and the run
   * ends "cancelled" with state equal to what exists (no rollback, no recovery).
   */
  signal?: AbortSignal;
}

export type GoalOutcome =
  | "succeeded"
  | "nothing-to-do"
  | "planned"
  | "declined"
  | "planner-failed"
  | "blocked"
  | "not-approved"
  | "failed"
  | "rolled-back"
  | "cancelled";

export interface RecoveryRecord {
  attempt: number;
  by: "model" | "rules";
  action: RecoveryAction["action"];
  reason: string;
}

export interface GoalReport {
  goal: string;
  planner: {
    kind: "model" | "offline" | "memory";
    description: string;
    summary?: string;
    patternId?: string;
  };
  /** The spec that was planned, secret values redacted. */
  spec?: Deployment;
  findings: { deployment: PolicyFindingView[]; plan: PolicyFindingView[] };
  plan?: Plan;
  approved: boolean;
  attempts: ApplyReport[];
  recovery: RecoveryRecord[];
  modelCalls: ModelCallRecord[];
  tokens: { input: number; output: number; cached: number };
  outcome: GoalOutcome;
  /** Why the run stopped, when it did not succeed. */
  reason?: string;
  exitCode: number;
}

export const EXIT_FOR: Record<GoalOutcome, number> = {
  succeeded: 0,
  "nothing-to-do": 0,
  planned: 0,
  declined: 1,
  "planner-failed": 1,
  blocked: 3,
  "not-approved": 4,
  failed: 1,
  "rolled-back": 1,
  // As a SIGINT: the person stopped it.
  cancelled: 130,
};
