import { randomUUID } from "node:crypto";
import type { PolicyFinding, PolicyResult } from "../policies/index.ts";
import { type ApplyReport, applyPlan } from "./engine/apply.ts";
import { destroyAll } from "./engine/destroy.ts";
import type { ProviderGateway } from "./engine/gateway.ts";
import { handleOrphans, type Orphan, type OrphanAction } from "./engine/orphans.ts";
import { planDeployment } from "./engine/plan.ts";
import type { Plan } from "./engine/plan-types.ts";
import { reconcilePending } from "./engine/reconcile.ts";
import { type Drift, liveState, refreshState } from "./engine/refresh.ts";
import type { RetryPolicy } from "./engine/retry.ts";
import { rollbackToSnapshots } from "./engine/snapshots.ts";
import type { Deployment } from "./engine/spec.ts";
import { IacError } from "./errors.ts";
import type { EventSink } from "./events.ts";
import {
  chooseSnapshots,
  describeRollback,
  type RollbackPreview,
  rollbackPreview,
} from "./rollback-preview.ts";
import type { LockHolder, StateBackend, StateWriter } from "./state/index.ts";

export { describeRollback, type RollbackPreview } from "./rollback-preview.ts";

/** What every spec-driven operation works with. */
export interface Workspace {
  gateway: ProviderGateway;
  state: StateBackend;
  emit: EventSink;
}

export interface LockOptions {
  /** Wait this long for another writer to finish instead of failing at once. */
  lockWaitMs?: number;
  /** Break the lock first (a stale lock of a dead process). */
  forceUnlock?: boolean;
}

/** The policies a spec-driven run checks: the spec before planning, the plan before approval. */
export interface PolicyGate {
  checkDeployment(deployment: Deployment): PolicyResult;
  checkPlan(plan: Plan): PolicyResult;
}

export interface ApplyRequest extends LockOptions {
  policies?: PolicyGate;
  /** Asked once the plan is ready; false stops with "not approved". */
  approve: (plan: Plan) => Promise<boolean>;
  dryRun?: boolean;
  rollback?: boolean;
  parallelism?: number;
  perServer?: Record<string, number>;
  refresh?: boolean;
  retry?: RetryPolicy;
  callTimeoutMs?: number;
  command?: string;
  /** Once aborted, no new change starts; those in flight finish and are recorded (outcome "cancelled"). */
  signal?: AbortSignal;
}

export interface ApplyOutput {
  runId: string;
  plan?: Plan;
  approved: boolean;
  report?: ApplyReport;
  /** Set when a mandatory policy stopped the run (exit 3). */
  blocked?: { stage: "deployment" | "plan"; findings: PolicyFinding[] };
}

function gate(
  workspace: Workspace,
  stage: "deployment" | "plan",
  result: PolicyResult,
): ApplyOutput["blocked"] {
  workspace.emit({
    type: "policy.findings",
    stage,
    blocked: result.blocked,
    findings: result.findings.map((finding) => ({
      policy: finding.policy,
      enforcement: finding.enforcement,
      message: finding.message,
      ...(finding.resource ? { resource: finding.resource } : {}),
      ...(finding.path ? { path: finding.path } : {}),
    })),
  });
  return result.blocked ? { stage, findings: result.mandatory } : undefined;
}

/** Takes the deployment's lock, reconciles what an interrupted run left pending, then does the work. */
export async function withWriter<T>(
  workspace: Workspace,
  name: string,
  command: string,
  options: LockOptions,
  /** `recovered`: idempotency keys of creates an interrupted run left open (see reconcilePending). */
  work: (writer: StateWriter, runId: string, recovered: ReadonlyMap<string, string>) => Promise<T>,
): Promise<T> {
  if (options.forceUnlock) {
    const broken = await workspace.state.forceUnlock(name);
    if (broken) {
      workspace.emit({
        type: "notice",
        level: "warn",
        message: `broke the lock on ${name} held by pid ${broken.pid} on ${broken.host} since ${broken.since} (${broken.command})`,
      });
    }
  }
  const who = (holder: LockHolder) =>
    `pid ${holder.pid} on ${holder.host} since ${holder.since} (${holder.command})`;
  const writer = await workspace.state.open(name, {
    command,
    ...(options.lockWaitMs ? { waitMs: options.lockWaitMs } : {}),
    onWait: (holder) =>
      workspace.emit({
        type: "notice",
        level: "info",
        message: `waiting up to ${Math.round((options.lockWaitMs ?? 0) / 1000)} s for the lock on ${name}, held by ${who(holder)}`,
      }),
    onTakeover: (holder) =>
      workspace.emit({
        type: "notice",
        level: "warn",
        message: `took over the lock on ${name} from ${who(holder)}: that process is gone (same host and boot); what it left pending is reconciled now`,
      }),
  });
  const runId = randomUUID();
  workspace.emit({ type: "run.started", command, deployment: name, runId });
  try {
    // An interrupted run's operations are settled against reality before anything else.
    const recovered = await reconcilePending(writer, workspace.gateway, workspace.emit);
    return await work(writer, runId, recovered);
  } finally {
    await writer.close();
  }
}

/** Plans without taking the lock or changing anything; `blocked` says a mandatory policy would stop it (exit 3). */
export async function planOnly(
  workspace: Workspace,
  deployment: Deployment,
  options: { refresh?: boolean; policies?: PolicyGate } = {},
): Promise<{ plan: Plan; blocked?: ApplyOutput["blocked"] }> {
  const early = options.policies
    ? gate(workspace, "deployment", options.policies.checkDeployment(deployment))
    : undefined;
  const stored = await workspace.state.read(deployment.name);
  // Like Terraform, plan reads what exists (getResource, whatever the provider does with refresh)
  // unless told not to (--refresh=false).
  const current =
    stored && options.refresh !== false ? await liveState(stored, workspace.gateway, workspace.emit) : stored;
  if (current && Object.keys(current.pending).length > 0) {
    workspace.emit({
      type: "notice",
      level: "warn",
      message: `${Object.keys(current.pending).length} operation(s) of an interrupted run are pending; the next apply reconciles them first`,
    });
  }
  const planned = await planDeployment(
    deployment,
    current,
    workspace.gateway,
    options.refresh === false ? {} : { refresh: true },
  );
  workspace.emit({ type: "plan.ready", plan: planned.plan });
  const late = options.policies
    ? gate(workspace, "plan", options.policies.checkPlan(planned.plan))
    : undefined;
  const blocked = early ?? late;
  return { plan: planned.plan, ...(blocked ? { blocked } : {}) };
}

/** Lock, reconcile, plan, ask, apply, record: the whole of `agent apply`. */
export async function applyDeployment(
  workspace: Workspace,
  deployment: Deployment,
  request: ApplyRequest,
): Promise<ApplyOutput> {
  if (request.policies) {
    const blocked = gate(workspace, "deployment", request.policies.checkDeployment(deployment));
    if (blocked) return { runId: "", approved: false, blocked };
  }
  return withWriter(
    workspace,
    deployment.name,
    request.command ?? "apply",
    request,
    async (writer, runId, recovered) => {
      // --refresh brings state in line with reality (getResource) before planning, reporting drift.
      if (request.refresh) await refreshState(writer, workspace.gateway, workspace.emit);
      const planned = await planDeployment(
        deployment,
        writer.state,
        workspace.gateway,
        // Like Terraform, the plan reads what exists unless told not to (--refresh=false).
        request.refresh === false ? {} : { refresh: true },
      );
      workspace.emit({ type: "plan.ready", plan: planned.plan });
      if (request.policies) {
        const blocked = gate(workspace, "plan", request.policies.checkPlan(planned.plan));
        if (blocked) return { runId, plan: planned.plan, approved: false, blocked };
      }
      if (request.dryRun) return { runId, plan: planned.plan, approved: false };
      const changing = planned.plan.changes.some((change) => change.action !== "noop");
      const approved = changing ? await request.approve(planned.plan) : true;
      if (!approved) return { runId, plan: planned.plan, approved };
      const report = await applyPlan(planned, writer, workspace.gateway, {
        runId,
        emit: workspace.emit,
        ...(request.parallelism ? { parallelism: request.parallelism } : {}),
        ...(request.perServer ? { perServer: request.perServer } : {}),
        ...(request.rollback === false ? { rollback: false } : {}),
        ...(request.retry ? { retry: request.retry } : {}),
        ...(request.callTimeoutMs ? { callTimeoutMs: request.callTimeoutMs } : {}),
        ...(recovered.size > 0 ? { operationIds: recovered } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      await writer.setLastRun({
        runId,
        command: request.command ?? "apply",
        outcome: report.outcome,
        finishedAt: new Date().toISOString(),
      });
      return { runId, plan: planned.plan, approved, report };
    },
  );
}

export interface DestroyRequest extends LockOptions {
  /** Asked with the plan of deletions; false stops with "not approved". */
  approve: (plan: Plan) => Promise<boolean>;
  /** The same stateful-resource rule as apply: a database is not deleted without --allow-destroy. */
  policies?: PolicyGate;
  parallelism?: number;
  retry?: RetryPolicy;
  callTimeoutMs?: number;
  /** Once aborted, no new delete starts; those in flight finish and are recorded (outcome "cancelled"). */
  signal?: AbortSignal;
}

export async function destroyDeployment(workspace: Workspace, name: string, request: DestroyRequest) {
  await requireDeployment(workspace, name);
  return withWriter(workspace, name, "destroy", request, async (writer, runId) => {
    // The plan of an empty spec is every deletion destroy makes: shown, checked and approved as apply's.
    const planned = await planDeployment({ name, resources: [] }, writer.state, workspace.gateway, {
      refresh: true,
    });
    const plan = planned.plan;
    workspace.emit({ type: "plan.ready", plan });
    const blocked = request.policies ? gate(workspace, "plan", request.policies.checkPlan(plan)) : undefined;
    if (blocked) return { runId, plan, approved: false, blocked, outcome: "blocked" as const, results: [] };
    const count = Object.keys(writer.state.resources).length;
    if (count > 0 && !(await request.approve(plan)))
      return { runId, plan, approved: false, outcome: "not-approved" as const, results: [] };
    const result = await destroyAll(writer, workspace.gateway, {
      runId,
      emit: workspace.emit,
      ...(request.parallelism ? { parallelism: request.parallelism } : {}),
      ...(request.retry ? { retry: request.retry } : {}),
      ...(request.callTimeoutMs ? { callTimeoutMs: request.callTimeoutMs } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
    await writer.setLastRun({
      runId,
      command: "destroy",
      outcome: result.outcome,
      finishedAt: new Date().toISOString(),
    });
    // Emptied: the deployment leaves `state list` (its history keeps the last version).
    const emptied =
      Object.keys(writer.state.resources).length === 0 && Object.keys(writer.state.pending).length === 0;
    if (emptied && result.outcome !== "failed") await writer.delete();
    return { runId, plan, approved: true, ...result, ...(emptied ? { removed: true } : {}) };
  });
}

/** Drift of what state holds, plus orphans: what providers list for the deployment and state does not hold. */
export async function refreshDeployment(
  workspace: Workspace,
  name: string,
  options: LockOptions & { orphans?: OrphanAction } = {},
): Promise<Drift[] & { orphans?: Orphan[] }> {
  await requireDeployment(workspace, name);
  return withWriter(workspace, name, "refresh", options, async (writer) => {
    const servers = Object.values(writer.state.resources).map((record) => record.server);
    const drift: Drift[] & { orphans?: Orphan[] } = await refreshState(
      writer,
      workspace.gateway,
      workspace.emit,
    );
    drift.orphans = await handleOrphans(writer, workspace.gateway, workspace.emit, options.orphans, servers);
    return drift;
  });
}

export interface RollbackRequest extends LockOptions {
  snapshotId?: string;
  /** Asked with what the rollback will restore; false stops with "not approved". */
  approve: (preview: RollbackPreview) => Promise<boolean>;
  /** Restoring a stateful resource puts its data back as it was: it needs --allow-destroy, as a delete does. */
  allowDestroy?: boolean;
}

export type RollbackOutcome =
  | { approved: true; preview: RollbackPreview; restored: Awaited<ReturnType<typeof rollbackToSnapshots>> }
  | { approved: false; preview: RollbackPreview; blocked?: ApplyOutput["blocked"] };

export async function rollbackDeployment(
  workspace: Workspace,
  name: string,
  request: RollbackRequest,
): Promise<RollbackOutcome> {
  await requireDeployment(workspace, name);
  return withWriter(workspace, name, "rollback", request, async (writer) => {
    const snapshots = chooseSnapshots(writer.state.snapshots, request.snapshotId);
    if (snapshots.length === 0) {
      throw new IacError(
        "NO_SNAPSHOT",
        request.snapshotId
          ? `deployment ${name} has no snapshot ${request.snapshotId}`
          : `deployment ${name} has no snapshots yet (they are taken before an apply changes existing resources)`,
        { exitCode: 2, hint: "`agent state show NAME` lists its snapshots" },
      );
    }
    const preview = await rollbackPreview(
      workspace.gateway,
      name,
      snapshots,
      Object.values(writer.state.resources),
    );
    workspace.emit({
      type: "notice",
      level: "info",
      message: describeRollback(preview),
    });
    // Untouched since the snapshot, a stateful resource is restored to what it already is: no data lost.
    const stateful = preview.resources.filter((resource) => resource.stateful && resource.changedSince);
    if (stateful.length > 0 && !request.allowDestroy) {
      const findings: PolicyFinding[] = stateful.map((resource) => ({
        policy: "baseline/stateful-change-approval",
        pack: "baseline",
        enforcement: "mandatory",
        resource: resource.name,
        message: `rolling back ${resource.name} (${resource.type}) puts the data it holds back as it was at the snapshot, or deletes it if created since; approve it explicitly with --allow-destroy`,
        stage: "plan",
      }));
      return { approved: false, preview, blocked: { stage: "plan", findings } };
    }
    if (!(await request.approve(preview))) return { approved: false, preview };
    const restored = await rollbackToSnapshots(writer, workspace.gateway, workspace.emit, request.snapshotId);
    return { approved: true, preview, restored };
  });
}

async function requireDeployment(workspace: Workspace, name: string) {
  if (!(await workspace.state.read(name))) {
    throw new IacError("NO_SUCH_DEPLOYMENT", `no deployment named ${name} in state`, {
      exitCode: 2,
      hint: "`agent state list` shows the deployments state holds",
    });
  }
}
