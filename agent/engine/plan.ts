import {
  type Change,
  isSecretDigest,
  type PropertyMap,
  type Resource,
  type ResourceTypeInfo,
  type StateResource,
  type ValidationIssue,
} from "../../tools/protocol/index.ts";
import type { DeploymentState, ResourceRecord } from "../state/index.ts";
import { TypeCatalog, type TypeEntry } from "./catalog.ts";
import { callData, ProviderCallError, type ProviderGateway } from "./gateway.ts";
import { buildGraph, countDependents, type ResourceGraph } from "./graph.ts";
import type { ChangeRisk, Plan, PlannedChange, PlanSummary } from "./plan-types.ts";
import { readPath, resolveReferences } from "./references.ts";
import { SecretFlow } from "./secret-flow.ts";
import { digestsForProvider, redact } from "./secrets.ts";
import type { Deployment } from "./spec.ts";
import { SpecError, type SpecIssue } from "./spec-error.ts";

/** A plan together with what apply needs and must never print (the desired values, secrets included). */
export interface PlanResult {
  plan: Plan;
  deployment: Deployment;
  graph: ResourceGraph;
  types: Map<string, TypeEntry>;
  /** State as it was when planned. */
  current: Map<string, ResourceRecord>;
  /** Which properties hold secrets, those copied from a secret by a reference included. */
  secrets: SecretFlow;
}

export interface PlanOptions {
  /** Read every existing resource from its provider rather than trusting state. */
  refresh?: boolean;
}

const STATEFUL_HINT = /(:rds:|:s3:|volume|database|:db:|disk|bucket)/;

function isStateful(info: ResourceTypeInfo | undefined, type: string): boolean {
  return info?.stateful ?? STATEFUL_HINT.test(type);
}

function toStateResource(record: ResourceRecord, desired: PropertyMap | undefined): StateResource {
  return {
    type: record.type,
    name: record.name,
    properties: digestsForProvider(record.properties, desired),
    id: record.id,
    outputs: record.outputs,
    status: record.status,
    ...(record.dependsOn.length > 0 ? { dependsOn: record.dependsOn } : {}),
  };
}

function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let group = groups.get(k);
    if (!group) {
      group = [];
      groups.set(k, group);
    }
    group.push(item);
  }
  return groups;
}

/** Outputs of an existing resource usable at plan time; secret digests are not values. */
function knownOutput(record: ResourceRecord | undefined, path: readonly (string | number)[]): unknown {
  if (!record) return undefined;
  const value = readPath(record.outputs, path);
  return isSecretDigest(value) ? undefined : value;
}

/**
 * Plans a deployment against its current state: one global plan gathered from every server's
 * planDeployment, with values known only after apply shown as `$unknown`.
 */
export async function planDeployment(
  deployment: Deployment,
  state: DeploymentState | undefined,
  gateway: ProviderGateway,
  options: PlanOptions = {},
): Promise<PlanResult> {
  const current = new Map(Object.entries(state?.resources ?? {}));
  const catalog = new TypeCatalog(gateway);
  await catalog.load(deployment.resources.map((resource) => resource.type));
  const types = await catalog.snapshot();

  requireRoutes(deployment, catalog);

  const graph = buildGraph(deployment, {
    typeInfo: (type) => types.get(type)?.info,
    knownTypes: await catalog.knownTypes(),
  });

  const secrets = new SecretFlow(graph, (type) => types.get(type)?.info);

  // Values are known at plan time only from resources that exist and will keep their outputs.
  const unstable = new Set<string>();
  for (const resource of deployment.resources) {
    const record = current.get(resource.name);
    if (!record || record.type !== resource.type) unstable.add(resource.name);
  }

  let changes: Map<string, Change> = new Map();
  let warnings: ValidationIssue[] = [];
  let plannedServers = new Set<string>();
  for (let round = 0; round <= deployment.resources.length; round++) {
    const resolved = new Map<string, PropertyMap>();
    for (const name of graph.order) {
      const resource = graph.nodes.get(name)!.resource;
      resolved.set(
        name,
        resolveReferences(resource.properties, (reference) => {
          if (unstable.has(reference.target)) return undefined;
          return (
            knownOutput(current.get(reference.target), reference.path) ??
            readPath(resolved.get(reference.target), reference.path)
          );
        }),
      );
    }
    const desired = deployment.resources.map((resource) => ({
      ...resource,
      properties: resolved.get(resource.name)!,
    }));
    const byServer = groupBy(desired, (resource) => types.get(resource.type)!.server);
    for (const record of current.values()) if (!byServer.has(record.server)) byServer.set(record.server, []);
    const outcome = await planServers(gateway, deployment.name, byServer, current, options, round === 0);
    warnings = round === 0 ? outcome.warnings : warnings;
    changes = outcome.changes;
    plannedServers = new Set(byServer.keys());

    let grew = false;
    for (const change of changes.values()) {
      if ((change.action === "create" || change.action === "replace") && !unstable.has(change.name)) {
        unstable.add(change.name);
        grew = true;
      }
    }
    if (!grew) break;
  }

  const plannedChanges = assemble(deployment, graph, types, current, changes, secrets);
  const plan: Plan = {
    deployment: deployment.name,
    createdAt: new Date().toISOString(),
    servers: [...plannedServers].sort(),
    changes: plannedChanges,
    summary: summarize(plannedChanges),
    warnings,
    pendingOperations: Object.keys(state?.pending ?? {}).length,
  };
  return { plan, deployment, graph, types, current, secrets };
}

/** Every type must reach a server: a type none serves is a spec error, never planned. */
function requireRoutes(deployment: Deployment, catalog: TypeCatalog): void {
  const routeIssues: SpecIssue[] = [];
  deployment.resources.forEach((resource, index) => {
    const reason = catalog.routeError(resource.type);
    if (reason)
      routeIssues.push({ resource: resource.name, path: `resources[${index}].type`, message: reason });
  });
  if (routeIssues.length > 0) throw new SpecError(`deployment "${deployment.name}"`, routeIssues);
}

async function planServers(
  gateway: ProviderGateway,
  deploymentId: string,
  byServer: Map<string, Resource[]>,
  current: Map<string, ResourceRecord>,
  options: PlanOptions,
  validate: boolean,
): Promise<{ changes: Map<string, Change>; warnings: ValidationIssue[] }> {
  const currentByServer = groupBy(current.values(), (record) => record.server);
  const warnings: ValidationIssue[] = [];
  const errors: SpecIssue[] = [];
  const changes = new Map<string, Change>();
  await Promise.all(
    [...byServer].map(async ([server, resources]) => {
      const desired = new Map(resources.map((resource) => [resource.name, resource.properties]));
      // Both asked at once: planning reads only, and waiting for the verdict first would cost a
      // round trip per server. The validation's errors, when there are any, are what is reported.
      const validating =
        validate && resources.length > 0
          ? callData(gateway, server, "validateConfig", { resources })
          : undefined;
      const planning = callData(gateway, server, "planDeployment", {
        deploymentId,
        resources,
        current: (currentByServer.get(server) ?? []).map((record) =>
          toStateResource(record, desired.get(record.name)),
        ),
        ...(options.refresh ? { options: { refresh: true } } : {}),
      });
      planning.catch(() => {}); // settled below, or left for a validation that failed first
      if (validating) {
        const validation = await validating;
        for (const issue of validation.issues) {
          if (issue.severity === "warning") warnings.push(issue);
          else errors.push({ resource: issue.resource, path: issue.path, message: issue.message });
        }
        if (errors.length > 0) return;
      }
      try {
        const planned = await planning;
        for (const change of planned.changes) changes.set(change.name, change);
      } catch (error) {
        if (error instanceof ProviderCallError && error.body.code === "VALIDATION_FAILED") {
          const issues = (error.body.details as { issues?: ValidationIssue[] } | undefined)?.issues ?? [];
          if (issues.length > 0) {
            errors.push(
              ...issues.map((issue) => ({
                resource: issue.resource,
                path: issue.path,
                message: issue.message,
              })),
            );
            return;
          }
        }
        throw error;
      }
    }),
  );
  if (errors.length > 0) throw new SpecError(`deployment "${deploymentId}"`, errors);
  return { changes, warnings };
}

function riskOf(action: Change["action"], stateful: boolean, dependents: number): ChangeRisk {
  const destructive = action === "delete" || action === "replace";
  const level =
    destructive && (stateful || dependents > 0)
      ? "high"
      : destructive || (stateful && action === "update")
        ? "medium"
        : "low";
  return { destructive, stateful, dependents, level };
}

function assemble(
  deployment: Deployment,
  graph: ResourceGraph,
  types: Map<string, TypeEntry>,
  current: Map<string, ResourceRecord>,
  changes: Map<string, Change>,
  secrets: SecretFlow,
): PlannedChange[] {
  const out: PlannedChange[] = [];
  const currentDependents = new Map<string, { dependents: Set<string> }>();
  for (const record of current.values()) currentDependents.set(record.name, { dependents: new Set() });
  for (const record of current.values()) {
    for (const dependency of record.dependsOn) currentDependents.get(dependency)?.dependents.add(record.name);
  }

  for (const name of graph.order) {
    const node = graph.nodes.get(name)!;
    const change = changes.get(name);
    if (!change) continue;
    const entry = types.get(node.resource.type);
    const secretKeys = secrets.keys(name);
    const destructive = change.action === "replace";
    const dependents = destructive ? countDependents(graph.nodes, name) : node.dependents.length;
    const planned: PlannedChange = {
      ...change,
      server: entry!.server,
      deps: [...node.deps],
      risk: riskOf(change.action, isStateful(entry?.info, change.type), dependents),
    };
    const before = redact(change.before, secretKeys);
    const after = redact(change.after, secretKeys);
    if (before) planned.before = before;
    if (after) planned.after = after;
    if (change.outputs) planned.outputs = redact(change.outputs, entry?.info.secretOutputs ?? []) ?? {};
    planned.diff = change.diff.map((entry) =>
      secretKeys.includes(/^[^.[]*/.exec(entry.path)![0])
        ? {
            ...entry,
            ...(entry.before !== undefined ? { before: "(sensitive)" } : {}),
            ...(entry.after !== undefined ? { after: "(sensitive)" } : {}),
          }
        : entry,
    );
    // Shown as written: a check's references are not resolved in the plan.
    if (node.resource.checks) planned.checks = node.resource.checks;
    // The platform may refuse to delete what is in use (an image under running containers).
    if (change.action === "replace" && node.dependents.length > 0) planned.createBeforeDestroy = true;
    if (change.action === "create" || change.action === "replace") {
      const outputs = entry?.info.outputs["properties"];
      if (outputs && typeof outputs === "object") {
        planned.computed = Object.keys(outputs).filter((key) => !(key in (change.after ?? {})));
      }
    }
    out.push(planned);
  }
  // Deletions: what state holds and the spec no longer names.
  const desiredNames = new Set(deployment.resources.map((resource) => resource.name));
  for (const record of current.values()) {
    if (desiredNames.has(record.name)) continue;
    const change = changes.get(record.name);
    const info = types.get(record.type)?.info;
    const planned: PlannedChange = {
      name: record.name,
      type: record.type,
      action: change?.action ?? "delete",
      id: record.id,
      before: redact(record.properties, info?.secretProperties ?? []) ?? {},
      outputs: redact(record.outputs, info?.secretOutputs ?? []) ?? {},
      diff: [],
      server: record.server,
      // A delete waits for the changes to whatever depended on it.
      deps: [...(currentDependents.get(record.name)?.dependents ?? [])],
      risk: riskOf("delete", isStateful(info, record.type), countDependents(currentDependents, record.name)),
    };
    out.push(planned);
  }
  return out;
}

function summarize(changes: PlannedChange[]): PlanSummary {
  const summary: PlanSummary = {
    create: 0,
    update: 0,
    replace: 0,
    delete: 0,
    noop: 0,
    destructive: 0,
    stateful: 0,
    highRisk: 0,
  };
  let cost = 0;
  let costed = false;
  for (const change of changes) {
    summary[change.action]++;
    if (change.risk.destructive) summary.destructive++;
    if (change.risk.stateful && change.action !== "noop") summary.stateful++;
    if (change.risk.level === "high") summary.highRisk++;
    if (change.estimatedMonthlyCost !== undefined && change.action !== "delete") {
      cost += change.estimatedMonthlyCost;
      costed = true;
    }
  }
  if (costed) summary.monthlyCost = Math.round(cost * 100) / 100;
  return summary;
}
