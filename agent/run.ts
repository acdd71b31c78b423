import type { MemoryStore, Pattern } from "../memory/index.ts";
import type { PolicyFinding, PolicyResult, PolicySet } from "../policies/index.ts";
import { isUnknown, type PropertyMap, type ResourceTypeInfo } from "../tools/protocol/index.ts";
import type { ApplyReport } from "./engine/apply.ts";
import { applyPlan } from "./engine/apply.ts";
import { callData } from "./engine/gateway.ts";
import { type PlanResult, planDeployment } from "./engine/plan.ts";
import type { Plan } from "./engine/plan-types.ts";
import { SENSITIVE } from "./engine/plan-types.ts";
import type { Deployment } from "./engine/spec.ts";
import { checkCandidate } from "./engine/validate.ts";
import type { EventSink, ModelCallRecord, PolicyFindingView, RunEvent } from "./events.ts";
import { recordCalls } from "./llm/recording.ts";
import type { LanguageModel } from "./llm/types.ts";
import { guardModel } from "./model-guard.ts";
import { type Workspace, withWriter } from "./operations.ts";
import { noteModelPlan } from "./planner/goal-coverage.ts";
import { withGoalSecrets } from "./planner/goal-secrets.ts";
import { type PlannerFinding, planWithModel } from "./planner/model-planner.ts";
import { decideWithModel } from "./planner/model-recovery.ts";
import { planOffline } from "./planner/offline/index.ts";
import { decideByRules, type FailedChange, type RecoveryAction } from "./recovery/rules.ts";
import type { SecretScrubber } from "./secrets.ts";
import type { StateWriter } from "./state/index.ts";

/** Property names per type whose schema is closed (an open schema takes any name). */
function closedProperties(infos: Iterable<ResourceTypeInfo>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const info of infos) {
    const schema = info.properties as { properties?: object; additionalProperties?: unknown };
    if (schema.additionalProperties === false) out.set(info.type, Object.keys(schema.properties ?? {}));
  }
  return out;
}

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
  | "rolled-back";

export type { ModelCallRecord } from "./events.ts";

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

const EXIT_FOR: Record<GoalOutcome, number> = {
  succeeded: 0,
  "nothing-to-do": 0,
  planned: 0,
  declined: 1,
  "planner-failed": 1,
  blocked: 3,
  "not-approved": 4,
  failed: 1,
  "rolled-back": 1,
};

function view(finding: PolicyFinding): PolicyFindingView {
  return {
    policy: finding.policy,
    enforcement: finding.enforcement,
    message: finding.message,
    ...(finding.resource ? { resource: finding.resource } : {}),
    ...(finding.path ? { path: finding.path } : {}),
  };
}

/** Secret property values never travel into memory, events or reports. */
function redactSpec(deployment: Deployment, types: Map<string, { info: ResourceTypeInfo }>): Deployment {
  return {
    name: deployment.name,
    resources: deployment.resources.map((resource) => {
      const secret = types.get(resource.type)?.info.secretProperties ?? [];
      if (secret.length === 0) return resource;
      const properties: PropertyMap = { ...resource.properties };
      for (const key of secret)
        if (key in properties && !isUnknown(properties[key])) properties[key] = SENSITIVE;
      return { ...resource, properties };
    }),
  };
}

/**
 * The whole of `agent "<goal>"`: goal → spec (model, offline planner or memory) → policies → plan →
 * approval → apply → recovery → memory. Everything it does is an event; the report gathers it.
 */
export async function runGoal(services: AgentServices, request: GoalRequest): Promise<GoalReport> {
  ({ services, request } = withGoalSecrets(services, request)); // secrets typed in the goal → placeholders
  const { scrubber } = services;
  const emit: EventSink = (event: RunEvent) => services.workspace.emit(scrubber.scrubDeep(event));
  const workspace: Workspace = { ...services.workspace, emit };
  const gateway = workspace.gateway;
  const modelCalls: ModelCallRecord[] = [];
  let purpose = "plan";
  const model = services.model
    ? recordCalls(guardModel(services.model, scrubber), (call) => {
        const record: ModelCallRecord = {
          purpose,
          provider: call.provider,
          model: call.model,
          inputTokens: call.usage.inputTokens,
          outputTokens: call.usage.outputTokens,
          cachedInputTokens: call.usage.cachedInputTokens,
          cacheWriteTokens: call.usage.cacheWriteTokens,
          latencyMs: Math.round(call.latencyMs),
        };
        modelCalls.push(record);
        emit({ type: "model.call", ...record });
      })
    : undefined;

  const report: GoalReport = {
    goal: request.goal,
    planner: { kind: model ? "model" : "offline", description: services.modelDescription },
    findings: { deployment: [], plan: [] },
    approved: false,
    attempts: [],
    recovery: [],
    modelCalls,
    tokens: { input: 0, output: 0, cached: 0 },
    outcome: "failed",
    exitCode: 1,
  };
  const finish = (outcome: GoalOutcome, reason?: string): GoalReport => {
    report.outcome = outcome;
    report.exitCode = EXIT_FOR[outcome];
    if (reason) report.reason = scrubber.scrub(reason);
    for (const call of modelCalls) {
      report.tokens.input += call.inputTokens;
      report.tokens.output += call.outputTokens;
      report.tokens.cached += call.cachedInputTokens;
    }
    return report;
  };

  emit({
    type: "planner.selected",
    planner: model ? "model" : "offline",
    description: services.modelDescription,
  });

  // What the configured servers offer: the model sees every schema, the offline planner the type list.
  // All at once: each describe may start a provider process, and those start in parallel.
  const described = await Promise.all(
    services.servers.map(async (server) => {
      try {
        return (await gateway.describe(server)).types;
      } catch (error) {
        emit({
          type: "notice",
          level: "warn",
          message: `${server} could not describe its types: ${error instanceof Error ? error.message : String(error)}`,
        });
        return [];
      }
    }),
  );
  const schemas: ResourceTypeInfo[] = described.flat();
  const typeInfo = new Map(schemas.map((info) => [info.type, info]));
  const redactListed = (entry: { type: string; properties?: unknown; outputs?: unknown }) => {
    const info = typeInfo.get(entry.type);
    const properties = { ...((entry.properties as PropertyMap | undefined) ?? {}) };
    for (const key of info?.secretProperties ?? []) if (key in properties) properties[key] = SENSITIVE;
    const outputs = { ...((entry.outputs as PropertyMap | undefined) ?? {}) };
    for (const key of info?.secretOutputs ?? []) if (key in outputs) outputs[key] = SENSITIVE;
    return scrubber.scrubDeep({ ...entry, properties, outputs });
  };

  let lastFindings: PlannerFinding[] = [];
  const validate = async (candidate: unknown) => {
    const checked = await checkCandidate(candidate, gateway);
    // The model wrote these values; they must not travel back to it (or anywhere) in later turns.
    for (const resource of checked.deployment?.resources ?? []) {
      for (const key of typeInfo.get(resource.type)?.secretProperties ?? [])
        scrubber.add(resource.properties[key]);
    }
    const findings: PlannerFinding[] = [
      ...checked.errors.map((issue) => ({
        source: "schema" as const,
        severity: "error" as const,
        message: issue.message,
        ...(issue.resource ? { resource: issue.resource } : {}),
        ...(issue.path ? { path: issue.path } : {}),
      })),
      ...checked.warnings.map((issue) => ({
        source: "validate" as const,
        severity: "warning" as const,
        message: issue.message,
        ...(issue.resource ? { resource: issue.resource } : {}),
        ...(issue.path ? { path: issue.path } : {}),
      })),
    ];
    if (checked.deployment && checked.errors.length === 0) {
      const policy = services.policies.checkDeployment(checked.deployment);
      for (const finding of policy.findings) {
        if (finding.enforcement === "disabled") continue;
        findings.push({
          source: "policy",
          severity: finding.enforcement === "mandatory" ? "error" : "warning",
          message: `${finding.policy}: ${finding.message}`,
          ...(finding.resource ? { resource: finding.resource } : {}),
          ...(finding.path ? { path: finding.path } : {}),
        });
      }
    }
    lastFindings = findings;
    return { ...(checked.deployment ? { deployment: checked.deployment } : {}), findings };
  };

  // 1. Memory: a close remembered pattern is reused as is offline, or shown to the model first.
  const hits = await services.memory.searchPatterns(request.goal, { limit: 3 });
  const threshold = request.reuseThreshold ?? 0.8;
  const best = hits[0];
  let deployment: Deployment | undefined;
  let source: "model" | "offline" | "memory" = model ? "model" : "offline";
  // A pattern whose secrets were redacted when it was saved cannot be applied as it is.
  const reusable = best && !JSON.stringify(best.item.spec).includes(JSON.stringify(SENSITIVE));
  if (!model && best && reusable && best.score >= threshold) {
    deployment = best.item.spec as Deployment;
    source = "memory";
    report.planner = { kind: "memory", description: services.modelDescription, patternId: best.item.id };
    emit({ type: "memory.reused", patternId: best.item.id, goal: best.item.goal, score: best.score });
  }

  // 2. The spec.
  if (!deployment && model) {
    const result = await planWithModel({
      goal: request.goal,
      model,
      schemas: schemas.map((info) => ({
        type: info.type,
        description: info.description,
        properties: info.properties,
        outputs: info.outputs,
        secretProperties: info.secretProperties,
      })),
      examples: hits.map((hit) => ({ goal: hit.item.goal, spec: hit.item.spec })),
      tools: {
        listResources: async (filter) => {
          const servers = filter.type ? [await gateway.serverFor(filter.type)] : services.servers;
          const listed = [];
          for (const server of servers) {
            const data = await callData(gateway, server, "listResources", {
              filter: filter.type ? { type: filter.type } : {},
            });
            listed.push(...data.resources.map(redactListed));
          }
          return listed;
        },
        getResource: async (type, id) =>
          redactListed(await callData(gateway, await gateway.serverFor(type), "getResource", { type, id })),
        describeResourceTypes: async ({ types, query }) => {
          // A query answers names and one-line descriptions; the model then asks for the schemas it needs.
          const owners = types
            ? await Promise.all(types.map(async (type) => [type, await gateway.serverFor(type)]))
            : [];
          const servers = types ? [...new Set(owners.map(([, server]) => server!))] : services.servers;
          const found = [];
          for (const server of servers) {
            const mine = owners.filter(([, owner]) => owner === server).map(([type]) => type!);
            const data = await callData(
              gateway,
              server,
              "describeResourceTypes",
              types ? { types: mine } : { query },
            );
            found.push(
              ...(types ? data.types : data.types.map(({ type, description }) => ({ type, description }))),
            );
          }
          return found;
        },
        searchMemory: async (query) =>
          (await services.memory.searchPatterns(query, { limit: 5 })).map((hit) => ({
            goal: hit.item.goal,
            score: hit.score,
            spec: hit.item.spec,
          })),
      },
      validate,
      ...(request.repairBudget ? { repairBudget: request.repairBudget } : {}),
      onEvent: (event) => {
        if (event.type === "planner.submission") {
          emit({
            type: "planner.submission",
            attempt: event.attempt,
            errors: event.errors,
            warnings: event.warnings,
            messages: lastFindings
              .filter((finding) => finding.severity === "error")
              .map((finding) => [finding.resource, finding.path, finding.message].filter(Boolean).join(": ")),
          });
        }
      },
    });
    if (!result.ok) return finish("planner-failed", result.reason);
    deployment = result.deployment as Deployment;
    noteModelPlan(report, emit, request.goal, result); // goal elements planned or named as left out (goal-coverage.ts)
  } else if (!deployment) {
    const offline = planOffline(request.goal, {
      availableTypes: [...typeInfo.keys()],
      ...(request.deploymentName ? { deploymentName: request.deploymentName } : {}),
      typeProperties: closedProperties(typeInfo.values()),
    });
    if (offline.kind === "declined") {
      emit({ type: "planner.understood", summary: `Offline planner: ${offline.reason}` });
      return finish("declined", offline.reason);
    }
    // Every element of the goal is planned or named here as left out, and why.
    const notes = offline.understanding.notes;
    const summary =
      notes.length > 0 ? `${offline.summary}\nNotes:\n  - ${notes.join("\n  - ")}` : offline.summary;
    report.planner.summary = summary;
    emit({ type: "planner.understood", summary });
    deployment = offline.deployment as Deployment;
  }

  // --name wins over whatever the planner or memory called it.
  if (request.deploymentName && deployment.name !== request.deploymentName)
    deployment = { ...deployment, name: request.deploymentName };

  // The spec is checked whichever way it came; a bad one never reaches a provider's apply.
  const checked = await checkCandidate(deployment, gateway, "the planned spec");
  if (!checked.deployment || checked.errors.length > 0) {
    const problems = checked.errors.map(
      (issue) => `${issue.resource ? `${issue.resource}: ` : ""}${issue.path}: ${issue.message}`,
    );
    return finish("planner-failed", `the ${source} spec is not valid:\n  - ${problems.join("\n  - ")}`);
  }
  deployment = checked.deployment;
  for (const resource of deployment.resources) {
    for (const key of typeInfo.get(resource.type)?.secretProperties ?? []) {
      scrubber.add(resource.properties[key]);
    }
  }
  report.spec = redactSpec(deployment, checked.types);
  emit({ type: "spec.ready", deployment: deployment.name, resources: deployment.resources.length, source });

  // 3. Policies on the spec.
  const deploymentPolicy = services.policies.checkDeployment(deployment);
  report.findings.deployment = deploymentPolicy.findings.map(view);
  emit({
    type: "policy.findings",
    stage: "deployment",
    blocked: deploymentPolicy.blocked,
    findings: report.findings.deployment,
  });
  if (deploymentPolicy.blocked) return finish("blocked", describeBlock(deploymentPolicy));

  // 4. Plan, plan policies, approval, apply, recovery — under the deployment's lock.
  const planned = deployment;
  return withWriter(
    workspace,
    planned.name,
    "agent",
    {
      ...(request.lockWaitMs ? { lockWaitMs: request.lockWaitMs } : {}),
      ...(request.forceUnlock ? { forceUnlock: true } : {}),
    },
    async (writer, runId) => finishRun(await planAndApply(planned, writer, runId, true), writer, runId),
  );

  async function planAndApply(
    target: Deployment,
    writer: StateWriter,
    runId: string,
    first: boolean,
  ): Promise<GoalOutcome> {
    // Refreshed, as `agent plan` is: drift shows before approval, not after.
    const result = await planDeployment(target, writer.state, gateway, { refresh: true });
    report.plan = result.plan;
    emit({ type: "plan.ready", plan: result.plan });
    const unnamed = first ? touchesUnnamed(result.plan, writer, request) : undefined;
    if (unnamed) emit({ type: "notice", level: "warn", message: unnamed });
    const planPolicy = services.policies.checkPlan(result.plan);
    report.findings.plan = planPolicy.findings.map(view);
    emit({
      type: "policy.findings",
      stage: "plan",
      blocked: planPolicy.blocked,
      findings: report.findings.plan,
    });
    if (planPolicy.blocked) {
      report.reason = describeBlock(planPolicy);
      return "blocked";
    }
    if (request.dryRun) return "planned";
    const changing = result.plan.changes.some((change) => change.action !== "noop");
    if (!changing) return first ? "nothing-to-do" : "succeeded";
    if (unnamed && request.yes) {
      report.reason = `${unnamed} (--yes does not approve that)`;
      return "not-approved";
    }
    report.approved = await request.approve(result.plan);
    if (!report.approved) return "not-approved";
    return applyWithRecovery(target, result, writer, runId);
  }

  async function applyWithRecovery(
    target: Deployment,
    first: PlanResult,
    writer: StateWriter,
    runId: string,
  ): Promise<GoalOutcome> {
    let current = target;
    let planned = first;
    const budget = request.recoveryBudget ?? 3;
    const decisions: RecoveryAction[] = [];
    for (let attempt = 0; ; attempt++) {
      const applied = await applyPlan(planned, writer, gateway, {
        runId,
        emit,
        rollback: false,
        ...(request.parallelism ? { parallelism: request.parallelism } : {}),
        ...(request.perServer ? { perServer: request.perServer } : {}),
      });
      report.attempts.push(applied);
      if (applied.outcome === "succeeded" || applied.outcome === "nothing-to-do") {
        await remember(current, decisions, writer);
        return "succeeded";
      }
      const failed: FailedChange[] = applied.results
        .filter((result) => result.status === "failed")
        .map((result) => ({
          name: result.name,
          type: planned.plan.changes.find((change) => change.name === result.name)?.type ?? "",
          action: result.action,
          error: { code: result.error?.code ?? "INTERNAL", message: result.error?.message ?? "" },
        }));
      let decision: RecoveryAction;
      let by: "model" | "rules";
      if (attempt >= budget) {
        decision = { action: "rollback", reason: `the recovery budget (${budget}) is spent` };
        by = "rules";
      } else if (model) {
        purpose = "recover";
        decision = await decideWithModel({
          model,
          goal: request.goal,
          spec: redactSpec(current, planned.types),
          failed,
          stateSummary: summarizeState(writer),
        });
        by = "model";
      } else {
        const lessons = [];
        for (const change of failed) {
          for (const hit of await services.memory.findLessons(
            { errorCode: change.error.code, type: change.type },
            3,
          ))
            lessons.push(hit.item);
        }
        decision = decideByRules(failed, decisions, lessons);
        by = "rules";
      }
      decisions.push(decision);
      report.recovery.push({ attempt: attempt + 1, by, action: decision.action, reason: decision.reason });
      emit({
        type: "recovery.decision",
        attempt: attempt + 1,
        action: decision.action,
        reason: decision.reason,
        by,
      });

      if (decision.action === "abort") {
        report.reason = decision.reason;
        return "failed";
      }
      if (decision.action === "rollback") return rollbackRun(decision.reason);
      if (decision.action === "revise") {
        const revision = await validate(decision.spec);
        const errors = revision.findings.filter((finding) => finding.severity === "error");
        if (!revision.deployment || errors.length > 0) {
          // A revision that does not validate is never applied; what this run did is undone instead.
          const problems = errors.map((finding) =>
            [finding.resource, finding.path, finding.message].filter(Boolean).join(": "),
          );
          return rollbackRun(`the revised spec is not valid (${problems.join("; ") || "unreadable"})`);
        }
        if (revision.deployment.name !== current.name) {
          emit({
            type: "notice",
            level: "warn",
            message: `the revision renamed the deployment; keeping ${current.name}`,
          });
        }
        current = { ...revision.deployment, name: current.name } as Deployment;
        emit({
          type: "spec.ready",
          deployment: current.name,
          resources: current.resources.length,
          source: "revision",
        });
      }
      // Retry and revise both re-plan from what now exists; a new plan needs its own approval.
      const replanned = await planDeployment(current, writer.state, gateway);
      report.plan = replanned.plan;
      emit({ type: "plan.ready", plan: replanned.plan });
      const planPolicy = services.policies.checkPlan(replanned.plan);
      emit({
        type: "policy.findings",
        stage: "plan",
        blocked: planPolicy.blocked,
        findings: planPolicy.findings.map(view),
      });
      if (planPolicy.blocked) {
        report.reason = describeBlock(planPolicy);
        return "blocked";
      }
      const subset = replanned.plan.changes.every(
        (change) =>
          change.action === "noop" ||
          planned.plan.changes.some(
            (earlier) => earlier.name === change.name && earlier.action === change.action,
          ),
      );
      if (decision.action === "revise" || !subset) {
        if (!(await request.approve(replanned.plan))) return "not-approved";
      }
      planned = replanned;
    }
  }

  /** Undoes every attempt of this run, the latest first. */
  async function rollbackRun(reason: string): Promise<GoalOutcome> {
    let ok = true;
    for (const attemptReport of [...report.attempts].reverse()) {
      const undone = await attemptReport.undo?.();
      if (undone && !undone.ok) ok = false;
    }
    report.reason = reason;
    return ok ? "rolled-back" : "failed";
  }

  async function remember(
    target: Deployment,
    decisions: RecoveryAction[],
    writer: StateWriter,
  ): Promise<void> {
    try {
      const types = new Map([...typeInfo].map(([type, info]) => [type, { info }]));
      const pattern: Pattern = await services.memory.savePattern({
        goal: request.goal,
        deployment: target.name,
        spec: redactSpec(target, types),
        providers: [...new Set(Object.values(writer.state.resources).map((record) => record.server))].sort(),
        outcome: "succeeded",
        planner:
          report.planner.kind === "model"
            ? `${services.model?.provider}:${services.model?.model}`
            : report.planner.kind,
      });
      // Saving the same goal and shape again already counted the use.
      if (report.planner.patternId && report.planner.patternId !== pattern.id) {
        await services.memory.markUsed(report.planner.patternId);
      }
      let lessons = 0;
      for (const [index, decision] of decisions.entries()) {
        if (decision.action !== "retry" && decision.action !== "revise") continue;
        const attempt = report.attempts[index];
        for (const result of attempt?.results ?? []) {
          if (result.status !== "failed" || !result.error) continue;
          const type = report.plan?.changes.find((change) => change.name === result.name)?.type ?? "";
          await services.memory.saveLesson({
            errorCode: result.error.code,
            type,
            context: scrubber.scrub(`${result.action} ${result.name}: ${result.error.message}`),
            fix: scrubber.scrub(`${decision.action}: ${decision.reason}`),
          });
          lessons++;
        }
      }
      emit({ type: "memory.saved", patternId: pattern.id, lessons });
    } catch (error) {
      emit({
        type: "notice",
        level: "warn",
        message: `could not save to memory: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  async function finishRun(outcome: GoalOutcome, writer: StateWriter, runId: string): Promise<GoalReport> {
    // A run that changed nothing (a dry run, a refusal, a block) leaves state as it was: no new version.
    if (!["planned", "not-approved", "blocked"].includes(outcome))
      await writer.setLastRun({ runId, command: "agent", outcome, finishedAt: new Date().toISOString() });
    return finish(outcome, report.reason);
  }
}

/**
 * A goal whose plan would delete or replace what an existing deployment holds, when the goal did
 * not name that deployment: said before approval (every goal of one kind gets one derived name).
 */
function touchesUnnamed(plan: Plan, writer: StateWriter, request: GoalRequest): string | undefined {
  if (request.deploymentName || Object.keys(writer.state.resources).length === 0) return undefined;
  if (new RegExp(`\\b${plan.deployment.replace(/[-]/g, "\\-")}\\b`, "i").test(request.goal)) return undefined;
  const lost = plan.changes.filter((change) => change.action === "delete" || change.action === "replace");
  if (lost.length === 0) return undefined;
  return `this goal's plan would delete or replace ${lost.length} resource(s) (${lost
    .map((change) => change.name)
    .join(
      ", ",
    )}) of the existing deployment "${plan.deployment}", which the goal did not name; to change it on purpose run again with --name ${plan.deployment}, to build something separate give another --name`;
}

function describeBlock(result: PolicyResult): string {
  return `blocked by ${result.mandatory.length} mandatory polic${result.mandatory.length === 1 ? "y" : "ies"}: ${result.mandatory
    .map((finding) => `${finding.policy}${finding.resource ? ` (${finding.resource})` : ""}`)
    .join(", ")}`;
}

function summarizeState(writer: StateWriter): string {
  const records = Object.values(writer.state.resources);
  return records.length === 0
    ? "state holds no resources for this deployment"
    : records.map((record) => `${record.name} (${record.type}) id=${record.id}`).join("\n");
}
