import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { closestName } from "./closest-name.ts";
import { ProviderError, toErrorBody } from "./errors.ts";
import {
  type Change,
  type DiffEntry,
  type ListedResource,
  type OperationResult,
  PROTOCOL_VERSION,
  type PropertyMap,
  type Resource,
  type ResourceTypeInfo,
  type StateResource,
  type ValidationIssue,
} from "./schemas.ts";
import { sameSecretAware } from "./secrets.ts";
import { createProviderServer, type ToolHandlers } from "./server.ts";
import type { ToolData, ToolInput } from "./tools.ts";
import { containsUnknown, isUnknown } from "./unknown.ts";

export type JsonSchema = Record<string, unknown>;

export interface HandlerContext {
  deploymentId: string;
  /** The resource's name in its deployment. */
  name: string;
}

export interface CreatedResource {
  id: string;
  outputs: PropertyMap;
}

export interface ReadResource {
  properties: PropertyMap;
  outputs: PropertyMap;
}

/** One resource type: its schemas and the four operations on the platform. */
export interface ResourceTypeHandler {
  type: string;
  description: string;
  /** JSON Schema of the properties; its `examples` give valid sample property maps. */
  properties: JsonSchema;
  outputs: JsonSchema;
  replaceOnChange?: string[];
  secretProperties?: string[];
  secretOutputs?: string[];
  stateful?: boolean;
  /** Checks beyond the JSON schema; values still unknown before apply are `{ $unknown }`. */
  validate?(properties: PropertyMap, name: string): Omit<ValidationIssue, "resource">[];
  create(properties: PropertyMap, context: HandlerContext): Promise<CreatedResource>;
  read(id: string): Promise<ReadResource | null>;
  /** Without update, every change to the resource is a replacement. */
  update?(
    id: string,
    properties: PropertyMap,
    context: HandlerContext & { diff: DiffEntry[] },
  ): Promise<PropertyMap>;
  delete(id: string): Promise<void>;
  estimateMonthlyCost?(properties: PropertyMap): number | undefined;
}

export interface SnapshotEntry {
  type: string;
  name: string;
  id: string;
  properties: PropertyMap;
}

export interface SnapshotRecord {
  snapshotId: string;
  deploymentId: string;
  createdAt: string;
  resources: SnapshotEntry[];
}

export interface SnapshotStore {
  save(snapshot: SnapshotRecord): Promise<void>;
  load(snapshotId: string): Promise<SnapshotRecord | undefined>;
}

export interface ResourceProviderDefinition {
  name: string;
  version: string;
  instructions?: string;
  types: ResourceTypeHandler[];
  /**
   * What exists on the platform, managed or not; managed entries carry `name` and `deploymentId`
   * (from labels or tags), which is how creates stay idempotent and crash recovery finds orphans.
   */
  list(filter: { type?: string; deploymentId?: string }): Promise<ListedResource[]>;
  /**
   * Finds one managed resource by deployment, type and name. Optional: without it, creates search
   * `list`, which costs O(resources of that type) per create on a large deployment.
   */
  findManaged?(query: {
    deploymentId: string;
    type: string;
    name: string;
  }): Promise<ListedResource | undefined>;
  snapshots?: SnapshotStore;
  /** Whether the provider can be used at all (e.g. the engine answers); a reason when not. */
  health?(): Promise<string | undefined>;
}

/** Keeps snapshots in memory; providers with a durable store pass their own. */
export function memorySnapshotStore(): SnapshotStore {
  const snapshots = new Map<string, SnapshotRecord>();
  return {
    async save(snapshot) {
      snapshots.set(snapshot.snapshotId, structuredClone(snapshot));
    },
    async load(snapshotId) {
      return snapshots.get(snapshotId);
    },
  };
}

function typeInfo(handler: ResourceTypeHandler): ResourceTypeInfo {
  const info: ResourceTypeInfo = {
    type: handler.type,
    description: handler.description,
    properties: handler.properties,
    outputs: handler.outputs,
    replaceOnChange: handler.replaceOnChange ?? [],
    secretProperties: handler.secretProperties ?? [],
  };
  if (handler.secretOutputs) info.secretOutputs = handler.secretOutputs;
  if (handler.stateful) info.stateful = true;
  return info;
}

function valueAt(root: unknown, pointer: string): { found: boolean; unknownOnPath: boolean } {
  let current: unknown = root;
  if (isUnknown(current)) return { found: true, unknownOnPath: true };
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object") return { found: false, unknownOnPath: false };
    current = (current as Record<string, unknown>)[key];
    if (isUnknown(current)) return { found: true, unknownOnPath: true };
  }
  return { found: true, unknownOnPath: false };
}

function pointerToPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("")
    .replace(/^\./, "");
}

function ajvIssue(resource: string, error: ErrorObject): ValidationIssue {
  let path = pointerToPath(error.instancePath);
  let message = error.message ?? error.keyword;
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty?: string }).missingProperty ?? "";
    path = path ? `${path}.${missing}` : missing;
  } else if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty?: string }).additionalProperty ?? "";
    path = path ? `${path}.${extra}` : extra;
    const known = Object.keys((error.parentSchema?.["properties"] as object | undefined) ?? {});
    const hint = closestName(extra, known);
    message = `unknown property "${extra}"${hint ? `; did you mean "${hint}"?` : ""}${
      known.length > 0 ? ` (known: ${known.join(", ")})` : ""
    }`;
  }
  return {
    resource,
    path: `properties${path ? `.${path}` : ""}`,
    message,
    severity: "error",
  };
}

/** Diffs desired properties against current ones, key by key. */
export function diffProperties(
  before: PropertyMap,
  after: PropertyMap,
  replaceOnChange: readonly string[] = [],
): DiffEntry[] {
  const diff: DiffEntry[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    if (sameSecretAware(b, a)) continue;
    const entry: DiffEntry = { path: key, forcesReplacement: replaceOnChange.includes(key) };
    if (b !== undefined) entry.before = b;
    if (a !== undefined) entry.after = a;
    diff.push(entry);
  }
  return diff;
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

/**
 * Builds the ten iac.mcp/v1 tools from per-type create/read/update/delete handlers and a listing:
 * validation against the JSON schemas, diffing, idempotent creates, generic snapshots. Most
 * providers need nothing more.
 */
export function createResourceProvider(definition: ResourceProviderDefinition) {
  // verbose: errors carry their parent schema, which names the properties an unknown one may have meant.
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const handlers = new Map<string, ResourceTypeHandler>();
  const validators = new Map<string, ValidateFunction>();
  for (const handler of definition.types) {
    handlers.set(handler.type, handler);
    validators.set(handler.type, ajv.compile(handler.properties));
  }
  const snapshots = definition.snapshots ?? memorySnapshotStore();

  function handlerFor(type: string): ResourceTypeHandler {
    const handler = handlers.get(type);
    if (!handler) {
      throw new ProviderError("UNSUPPORTED", `${definition.name} does not manage resources of type ${type}`, {
        details: { type, supported: [...handlers.keys()] },
      });
    }
    return handler;
  }

  function validateOne(resource: Resource): ValidationIssue[] {
    const handler = handlers.get(resource.type);
    if (!handler) {
      return [
        {
          resource: resource.name,
          path: "type",
          message: `unknown type ${resource.type}; ${definition.name} manages ${[...handlers.keys()].join(", ")}`,
          severity: "error",
        },
      ];
    }
    const validate = validators.get(resource.type)!;
    const issues: ValidationIssue[] = [];
    if (!validate(resource.properties)) {
      for (const error of validate.errors ?? []) {
        if (valueAt(resource.properties, error.instancePath).unknownOnPath) continue;
        issues.push(ajvIssue(resource.name, error));
      }
    }
    if (handler.validate) {
      for (const issue of handler.validate(resource.properties, resource.name)) {
        issues.push({ resource: resource.name, ...issue });
      }
    }
    return issues;
  }

  async function findManaged(
    deploymentId: string,
    type: string,
    name: string,
  ): Promise<ListedResource | undefined> {
    if (definition.findManaged) return definition.findManaged({ deploymentId, type, name });
    const listed = await definition.list({ type, deploymentId });
    return listed.find((entry) => entry.name === name && entry.type === type);
  }

  async function createIdempotent(
    handler: ResourceTypeHandler,
    properties: PropertyMap,
    context: HandlerContext,
  ) {
    // A create cut off before its id reached the orchestrator may have happened: adopt it.
    const existing = await findManaged(context.deploymentId, handler.type, context.name);
    if (existing) {
      const diff = diffProperties(existing.properties, properties, handler.replaceOnChange);
      if (diff.length === 0) return { id: existing.id, outputs: existing.outputs };
      if (handler.update && !diff.some((entry) => entry.forcesReplacement)) {
        const outputs = await handler.update(existing.id, properties, { ...context, diff });
        return { id: existing.id, outputs };
      }
      await handler.delete(existing.id);
    }
    return handler.create(properties, context);
  }

  async function applyChange(deploymentId: string, change: Change): Promise<OperationResult> {
    try {
      const handler = handlerFor(change.type);
      const context = { deploymentId, name: change.name };
      if (change.after && containsUnknown(change.after)) {
        throw new ProviderError(
          "VALIDATION_FAILED",
          `${change.name}: applyDeployment received a value still unknown`,
        );
      }
      switch (change.action) {
        case "noop":
          return {
            name: change.name,
            status: "succeeded",
            ...(change.id ? { id: change.id } : {}),
            outputs: change.outputs ?? {},
          };
        case "create": {
          const created = await createIdempotent(handler, change.after ?? {}, context);
          return { name: change.name, status: "succeeded", id: created.id, outputs: created.outputs };
        }
        case "update": {
          if (!change.id)
            throw new ProviderError("VALIDATION_FAILED", `${change.name}: an update needs the id`);
          if (!handler.update)
            throw new ProviderError("UNSUPPORTED", `${change.type} cannot be updated in place`);
          const outputs = await handler.update(change.id, change.after ?? {}, {
            ...context,
            diff: change.diff,
          });
          return { name: change.name, status: "succeeded", id: change.id, outputs };
        }
        case "replace": {
          if (change.id) await deleteTolerant(handler, change.id);
          const created = await handler.create(change.after ?? {}, context);
          return { name: change.name, status: "succeeded", id: created.id, outputs: created.outputs };
        }
        case "delete": {
          if (change.id) await deleteTolerant(handler, change.id);
          return { name: change.name, status: "succeeded", ...(change.id ? { id: change.id } : {}) };
        }
      }
    } catch (error) {
      return {
        name: change.name,
        status: "failed",
        ...(change.id ? { id: change.id } : {}),
        error: toErrorBody(error),
      };
    }
  }

  async function deleteTolerant(handler: ResourceTypeHandler, id: string): Promise<void> {
    try {
      await handler.delete(id);
    } catch (error) {
      if (ProviderError.isInstance(error) && error.code === "NOT_FOUND") return;
      throw error;
    }
  }

  async function runChanges(
    deploymentId: string,
    changes: Change[],
    options: { parallelism?: number | undefined; continueOnError?: boolean | undefined } = {},
  ): Promise<OperationResult[]> {
    let failed: string | undefined;
    return mapLimit(changes, options.parallelism ?? 10, async (change) => {
      if (failed && !options.continueOnError) {
        return {
          name: change.name,
          status: "failed" as const,
          error: {
            code: "DEPENDENCY_FAILED" as const,
            message: `not attempted: ${failed} failed first and continueOnError is off`,
            retryable: true,
          },
        };
      }
      const result = await applyChange(deploymentId, change);
      if (result.status === "failed") failed ??= change.name;
      return result;
    });
  }

  function planOne(
    resource: Resource,
    current: StateResource | undefined,
    live: ReadResource | null | undefined,
  ): Change {
    const handler = handlerFor(resource.type);
    const cost = handler.estimateMonthlyCost?.(resource.properties);
    const extra = cost === undefined ? {} : { estimatedMonthlyCost: cost };
    if (!current || live === null) {
      return {
        name: resource.name,
        type: resource.type,
        action: "create",
        after: resource.properties,
        diff: [],
        ...extra,
      };
    }
    const before = live ? live.properties : current.properties;
    const outputs = live ? live.outputs : current.outputs;
    if (current.type !== resource.type) {
      return {
        name: resource.name,
        type: resource.type,
        action: "replace",
        id: current.id,
        before,
        after: resource.properties,
        outputs,
        diff: [{ path: "type", before: current.type, after: resource.type, forcesReplacement: true }],
        ...extra,
      };
    }
    const diff = diffProperties(before, resource.properties, handler.replaceOnChange);
    const action =
      diff.length === 0
        ? "noop"
        : diff.some((entry) => entry.forcesReplacement) || !handler.update
          ? "replace"
          : "update";
    if (action === "replace") for (const entry of diff) entry.forcesReplacement ||= !handler.update;
    return {
      name: resource.name,
      type: resource.type,
      action,
      id: current.id,
      before,
      after: resource.properties,
      outputs,
      diff,
      ...extra,
    };
  }

  const tools: ToolHandlers = {
    describeResourceTypes: () => ({ protocol: PROTOCOL_VERSION, types: definition.types.map(typeInfo) }),

    validateConfig: ({ resources }: ToolInput<"validateConfig">) => {
      const issues = resources.flatMap(validateOne);
      return { valid: !issues.some((issue) => issue.severity === "error"), issues };
    },

    planDeployment: async ({ resources, current, options }: ToolInput<"planDeployment">) => {
      const issues = resources.flatMap(validateOne).filter((issue) => issue.severity === "error");
      if (issues.length > 0) {
        throw new ProviderError("VALIDATION_FAILED", `${issues.length} validation error(s)`, {
          details: { issues },
        });
      }
      const currentByName = new Map(current.map((entry) => [entry.name, entry]));
      const desiredNames = new Set(resources.map((resource) => resource.name));
      const changes: Change[] = [];
      for (const resource of resources) {
        const existing = currentByName.get(resource.name);
        let live: ReadResource | null | undefined;
        if (existing && options?.refresh) live = await handlerFor(existing.type).read(existing.id);
        changes.push(planOne(resource, existing, live));
      }
      for (const existing of current) {
        if (desiredNames.has(existing.name)) continue;
        changes.push({
          name: existing.name,
          type: existing.type,
          action: "delete",
          id: existing.id,
          before: existing.properties,
          outputs: existing.outputs,
          diff: [],
        });
      }
      return { changes };
    },

    applyDeployment: async ({ deploymentId, changes, options }: ToolInput<"applyDeployment">) => ({
      results: await runChanges(deploymentId, changes, options),
    }),

    destroyDeployment: async ({ deploymentId, resources }: ToolInput<"destroyDeployment">) => {
      const changes: Change[] = resources.map((resource) => ({
        name: resource.name,
        type: resource.type,
        action: "delete",
        id: resource.id,
        diff: [],
      }));
      // Destroy keeps going past a failure so that one stuck resource does not strand the rest.
      return { results: await runChanges(deploymentId, changes, { parallelism: 1, continueOnError: true }) };
    },

    getDeploymentState: async ({ deploymentId }: ToolInput<"getDeploymentState">) => ({
      resources: await definition.list({ deploymentId }),
    }),

    listResources: async ({ filter }: ToolInput<"listResources">) => ({
      resources: await definition.list({
        ...(filter?.type ? { type: filter.type } : {}),
        ...(filter?.deploymentId ? { deploymentId: filter.deploymentId } : {}),
      }),
    }),

    getResource: async ({ type, id }: ToolInput<"getResource">): Promise<ToolData<"getResource">> => {
      const found = await handlerFor(type).read(id);
      if (!found) throw new ProviderError("NOT_FOUND", `${type} ${id} does not exist`);
      return { id, type, properties: found.properties, outputs: found.outputs };
    },

    createSnapshot: async ({ deploymentId }: ToolInput<"createSnapshot">) => {
      const listed = await definition.list({ deploymentId });
      const record: SnapshotRecord = {
        snapshotId: `snap-${deploymentId}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        deploymentId,
        createdAt: new Date().toISOString(),
        resources: listed.map((entry) => ({
          type: entry.type,
          name: entry.name ?? entry.id,
          id: entry.id,
          properties: entry.properties,
        })),
      };
      await snapshots.save(record);
      return { snapshotId: record.snapshotId, createdAt: record.createdAt, resources: record.resources };
    },

    rollbackToSnapshot: async ({ snapshotId }: ToolInput<"rollbackToSnapshot">) => {
      const record = await snapshots.load(snapshotId);
      if (!record) throw new ProviderError("NOT_FOUND", `snapshot ${snapshotId} does not exist`);
      const now = await definition.list({ deploymentId: record.deploymentId });
      const restored: string[] = [];
      const deleted: string[] = [];
      const kept = new Set<string>();
      for (const entry of record.resources) {
        const handler = handlerFor(entry.type);
        const context = { deploymentId: record.deploymentId, name: entry.name };
        const live = now.find((item) => item.name === entry.name && item.type === entry.type);
        if (live) {
          kept.add(live.id);
          const diff = diffProperties(live.properties, entry.properties, handler.replaceOnChange);
          if (diff.length === 0) continue;
          if (handler.update && !diff.some((item) => item.forcesReplacement)) {
            await handler.update(live.id, entry.properties, { ...context, diff });
          } else {
            await deleteTolerant(handler, live.id);
            await handler.create(entry.properties, context);
          }
        } else {
          await handler.create(entry.properties, context);
        }
        restored.push(entry.name);
      }
      for (const live of now) {
        if (kept.has(live.id)) continue;
        const handler = handlers.get(live.type);
        if (!handler) continue;
        await deleteTolerant(handler, live.id);
        deleted.push(live.name ?? live.id);
      }
      return { restored, deleted };
    },
  };

  return {
    tools,
    /** The MCP server for this provider. */
    server: () =>
      createProviderServer({
        name: definition.name,
        version: definition.version,
        handlers: tools,
        ...(definition.instructions ? { instructions: definition.instructions } : {}),
      }),
  };
}
