import {
  type Change,
  isSecretDigest,
  type OperationResult,
  type PropertyMap,
  type ProviderErrorBody,
} from "../../tools/protocol/index.ts";
import type { PendingOperation, ResourceRecord, StateWriter } from "../state/index.ts";
import { ApplyBatcher } from "./apply-batcher.ts";
import { TypeCatalog } from "./catalog.ts";
import type { ApplyOutcome, EventSink } from "./events.ts";
import type { ProviderGateway } from "./gateway.ts";
import type { PlanResult } from "./plan.ts";
import type { PlannedChange } from "./plan-types.ts";
import { DeploymentListing, reconcileOperation } from "./reconcile.ts";
import { readPath } from "./references.ts";
import type { RetryPolicy } from "./retry.ts";
import { ListingOnce, ServerHealth } from "./server-health.ts";

export interface ApplyOptions {
  runId: string;
  emit: EventSink;
  /** Resources in flight at once, over all servers. */
  parallelism?: number;
  perServer?: Record<string, number>;
  /** Roll back this run's changes when one fails (the default), or keep them (`--no-rollback`). */
  rollback?: boolean;
  retry?: RetryPolicy;
  /** Timeout of one provider call. */
  callTimeoutMs?: number;
  /** Idempotency keys of creates an interrupted run left unsettled, by resource name: sent again as is. */
  operationIds?: ReadonlyMap<string, string>;
  /** Once aborted, no new change starts; those in flight finish and are recorded (outcome "cancelled"). */
  signal?: AbortSignal;
}

export interface ChangeResult {
  name: string;
  action: Change["action"];
  server: string;
  status: "succeeded" | "failed" | "skipped" | "unchanged";
  id?: string;
  attempts: number;
  error?: ProviderErrorBody;
  durationMs?: number;
}

export interface RollbackStep {
  name: string;
  action: string;
  status: "succeeded" | "failed";
  error?: string;
}

export interface RollbackReport {
  ok: boolean;
  steps: RollbackStep[];
}

export interface ApplyReport {
  outcome: ApplyOutcome;
  results: ChangeResult[];
  rollback?: RollbackReport;
  durationMs: number;
  /** Undoes this apply's changes (once; while the state writer is open). Not serialised. */
  readonly undo?: () => Promise<RollbackReport>;
}

export interface Applied {
  change: PlannedChange;
  record?: ResourceRecord;
  /** A create-before-destroy's old resource, still there: undoing the create puts it back in state. */
  restore?: ResourceRecord;
}

/** Everything one apply shares between its changes, its rollback and its report. */
export class ApplyContext {
  readonly catalog: TypeCatalog;
  readonly health = new ServerHealth();
  readonly listing: ListingOnce;
  readonly batcher: ApplyBatcher;
  readonly results = new Map<string, ChangeResult>();
  /** What this run changed, in order of completion (what a rollback undoes). */
  readonly applied: Applied[] = [];
  /** Old resources of create-before-destroy replacements, deleted once the run has succeeded. */
  readonly retired: ResourceRecord[] = [];
  /** Outputs known so far, in clear: from state for what exists, from results as they arrive. */
  readonly outputs = new Map<string, PropertyMap>();
  readonly resolvedProperties = new Map<string, PropertyMap>();
  readonly deploymentId: string;
  readonly emit: EventSink;
  readonly planned: PlanResult;
  readonly writer: StateWriter;
  readonly gateway: ProviderGateway;
  readonly options: ApplyOptions;

  constructor(planned: PlanResult, writer: StateWriter, gateway: ProviderGateway, options: ApplyOptions) {
    this.planned = planned;
    this.writer = writer;
    this.gateway = gateway;
    this.options = options;
    this.catalog = new TypeCatalog(gateway);
    this.deploymentId = planned.plan.deployment;
    this.emit = options.emit;
    this.listing = new ListingOnce(gateway, this.deploymentId, options.callTimeoutMs);
    this.batcher = new ApplyBatcher(this);
    for (const [name, record] of planned.current) this.outputs.set(name, record.outputs);
  }

  get timeout(): { timeoutMs: number } | undefined {
    return this.options.callTimeoutMs ? { timeoutMs: this.options.callTimeoutMs } : undefined;
  }

  /** A reference's value: an output in clear if known, else the property the spec resolved. */
  lookup(reference: { target: string; path: (string | number)[] }): unknown {
    const fromOutputs = readPath(this.outputs.get(reference.target), reference.path);
    if (fromOutputs !== undefined && !isSecretDigest(fromOutputs)) return fromOutputs;
    return readPath(this.resolvedProperties.get(reference.target), reference.path);
  }

  skip(change: PlannedChange, reason: string): void {
    this.results.set(change.name, {
      name: change.name,
      action: change.action,
      server: change.server,
      status: "skipped",
      attempts: 0,
    });
    this.emit({ type: "change.skipped", name: change.name, reason });
  }

  settleFailure(change: PlannedChange, attempts: number, error: ProviderErrorBody, id?: string): false {
    this.results.set(change.name, {
      name: change.name,
      action: change.action,
      server: change.server,
      status: "failed",
      attempts,
      error,
      ...(id ? { id } : {}),
    });
    this.emit({ type: "change.failed", name: change.name, action: change.action, error });
    return false;
  }

  /** What a provider did before failing is not known for sure: ask it, so state stays true. */
  async settleAgainstReality(operation: PendingOperation): Promise<void> {
    await settleAgainstReality(this.writer, this.gateway, this.catalog, operation);
  }
}

export { fail } from "./apply-batcher.ts";

/**
 * What a provider did before failing is not known for sure: ask it, so state stays true. If it
 * cannot answer now, the operation stays pending and the next run reconciles it.
 */
export async function settleAgainstReality(
  writer: StateWriter,
  gateway: ProviderGateway,
  catalog: TypeCatalog,
  operation: PendingOperation,
): Promise<void> {
  try {
    await reconcileOperation(
      writer,
      gateway,
      catalog,
      new DeploymentListing(gateway, writer.state.name),
      operation,
    );
  } catch {
    // left pending
  }
}

/** The one result of `name` in an applyDeployment or destroyDeployment answer, or a thrown error. */
export function firstResult(
  envelope: { success: boolean; data?: { results: OperationResult[] }; error?: ProviderErrorBody },
  name: string,
): OperationResult {
  if (!envelope.success) throw new Error(`${envelope.error?.code}: ${envelope.error?.message}`);
  const result = envelope.data?.results.find((entry) => entry.name === name);
  if (!result) throw new Error(`no result for ${name}`);
  return result;
}
