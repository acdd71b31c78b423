import type { Change, Check, ValidationIssue } from "../../tools/protocol/index.ts";

export interface ChangeRisk {
  /** Deletes or replaces something that exists. */
  destructive: boolean;
  /** Holds data (a database, a volume, a bucket). */
  stateful: boolean;
  /** How many resources depend on it, directly or not. */
  dependents: number;
  level: "low" | "medium" | "high";
}

/** A provider's change, placed in the one global plan. Secret values are already redacted. */
export interface PlannedChange extends Change {
  server: string;
  /** Names this change waits for. */
  deps: string[];
  risk: ChangeRisk;
  checks?: Check[];
  /** Outputs that will be known only after apply (a create or replace), as Terraform shows them. */
  computed?: string[];
  /**
   * A replace of something others use: the new one is created first, the dependents move to it,
   * and the old one is deleted at the end of the run (Terraform's create_before_destroy).
   */
  createBeforeDestroy?: boolean;
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  noop: number;
  destructive: number;
  stateful: number;
  highRisk: number;
  /** Estimated monthly cost of what the deployment will hold, where providers report it. */
  monthlyCost?: number;
}

/** The printable plan (what `--json` shows and events carry). */
export interface Plan {
  deployment: string;
  createdAt: string;
  servers: string[];
  changes: PlannedChange[];
  summary: PlanSummary;
  warnings: ValidationIssue[];
  /** Operations left pending by an interrupted run, reconciled before applying. */
  pendingOperations: number;
}

export const SENSITIVE = "(sensitive)";
