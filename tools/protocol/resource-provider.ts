import { ProviderError, toErrorBody } from "./errors.ts";
import { planResource } from "./plan-resource.ts";
import { ajvIssue, deleteTolerant, diffProperties, mapLimit, valueAt } from "./provider-parts.ts";
import {
  type Change,
  type ListedResource,
  type OperationResult,
  PROTOCOL_VERSION,
  type PropertyMap,
  type Resource,
  type ValidationIssue,
} from "./schemas.ts";
import { createProviderServer, type ToolExtra, type ToolHandlers } from "./server.ts";
import {
  memorySnapshotStore,
  restoreSnapshot,
  type SnapshotRecord,
  type SnapshotStore,
} from "./snapshots.ts";
import type { ToolData, ToolInput } from "./tools.ts";
import type { CreatedResource, HandlerContext, ResourceTypeHandler } from "./type-handler.ts";
import { TypeRegistry } from "./type-registry.ts";
import { containsUnknown } from "./unknown.ts";

export { diffProperties } from "./provider-parts.ts";
export {
  memorySnapshotStore,
  type SnapshotEntry,
  type SnapshotRecord,
  type SnapshotStore,
} from "./snapshots.ts";
export type {
  CreatedResource,
  HandlerContext,
  JsonSchema,
  PlannedUpdate,
  ReadResource,
  ResourceTypeHandler,
} from "./type-handler.ts";

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
  /**
   * A handler for a type outside `types`, built on demand (any CloudFormation type, any manifest
   * kind); undefined when the server does not serve it. Asked once per type.
   */
  resolveType?(type: string): Promise<ResourceTypeHandler | undefined>;
  /** Type names (canonical prefix) matching a free-text query, for describeResourceTypes({ query }). */
  searchTypes?(query: string): Promise<string[]>;
  /**
   * The prefix the client mounts this server as (it sets MCP_IAC_SERVER_NAME). Handlers declare
   * their types under the canonical prefix; tools take and report them under this one.
   */
  mountName?: string;
}

/**
 * Builds the ten iac.mcp/v1 tools from per-type create/read/update/delete handlers and a listing:
 * validation against the JSON schemas, diffing, idempotent creates, generic snapshots. Most
 * providers need nothing more.
 */
export function createResourceProvider(definition: ResourceProviderDefinition) {
  const registry = new TypeRegistry(definition);
  const snapshots = definition.snapshots ?? memorySnapshotStore();
  const handlerFor = async (type: string) => (await registry.require(type)).handler;
  const listed = async (filter: { type?: string; deploymentId?: string }) =>
    (await definition.list(filter.type ? { ...filter, type: registry.canonical(filter.type) } : filter)).map(
      (entry) => ({ ...entry, type: registry.mounted(entry.type) }),
    );

  async function validateOne(resource: Resource): Promise<ValidationIssue[]> {
    const entry = await registry.find(resource.type);
    if (!entry) {
      return [
        {
          resource: resource.name,
          path: "type",
          message: registry.unsupportedMessage(resource.type),
          severity: "error",
        },
      ];
    }
    const issues: ValidationIssue[] = [];
    if (!entry.validate(resource.properties)) {
      for (const error of entry.validate.errors ?? []) {
        if (valueAt(resource.properties, error.instancePath).unknownOnPath) continue;
        issues.push(ajvIssue(resource.name, error));
      }
    }
    for (const issue of entry.handler.validate?.(resource.properties, resource.name) ?? []) {
      issues.push({ resource: resource.name, ...issue });
    }
    return issues;
  }

  async function validateAll(resources: Resource[]): Promise<ValidationIssue[]> {
    return (await Promise.all(resources.map(validateOne))).flat();
  }

  async function findManaged(
    deploymentId: string,
    type: string,
    name: string,
  ): Promise<ListedResource | undefined> {
    if (definition.findManaged) return definition.findManaged({ deploymentId, type, name });
    const found = await definition.list({ type, deploymentId });
    return found.find((entry) => entry.name === name && entry.type === type);
  }

  // Creates in flight by operationId: a second send of the same change (an engine retry whose first
  // answer was lost) joins the first instead of racing it. A later resend finds the result by name.
  const inFlight = new Map<string, Promise<CreatedResource>>();

  function createIdempotent(
    handler: ResourceTypeHandler,
    properties: PropertyMap,
    context: HandlerContext,
    replacing?: string,
  ): Promise<CreatedResource> {
    const key = context.operationId;
    if (!key) return adoptOrCreate(handler, properties, context, replacing);
    const running = inFlight.get(key);
    if (running) return running;
    const making = adoptOrCreate(handler, properties, context, replacing).finally(() => inFlight.delete(key));
    inFlight.set(key, making);
    return making;
  }

  async function adoptOrCreate(
    handler: ResourceTypeHandler,
    properties: PropertyMap,
    context: HandlerContext,
    replacing: string | undefined,
  ): Promise<CreatedResource> {
    // A create cut off before its id reached the orchestrator may have happened: adopt it.
    const existing = await findManaged(context.deploymentId, handler.type, context.name);
    if (existing && existing.id !== replacing) {
      const diff = diffProperties(existing.properties, properties, handler.replaceOnChange);
      if (diff.length === 0) return { id: existing.id, outputs: existing.outputs };
      if (handler.update && !diff.some((entry) => entry.forcesReplacement)) {
        const outputs = await handler.update(existing.id, properties, { ...context, diff });
        return { id: existing.id, outputs };
      }
      await handler.delete(existing.id, context);
    }
    return handler.create(properties, context);
  }

  async function applyChange(
    deploymentId: string,
    change: Change,
    extra: ToolExtra,
  ): Promise<OperationResult> {
    try {
      const handler = await handlerFor(change.type);
      const context: HandlerContext = {
        deploymentId,
        name: change.name,
        ...(change.operationId ? { operationId: change.operationId } : {}),
        ...(extra.progress ? { progress: extra.progress } : {}),
      };
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
          // A create that carries an id is a create-before-destroy: that resource (same name) is the
          // one being replaced and stays until the engine deletes it, so it is never adopted.
          const created = await createIdempotent(handler, change.after ?? {}, context, change.id);
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
          if (change.id) await deleteTolerant(handler, change.id, context);
          const created = await handler.create(change.after ?? {}, context);
          return { name: change.name, status: "succeeded", id: created.id, outputs: created.outputs };
        }
        case "delete": {
          if (change.id) await deleteTolerant(handler, change.id, context);
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

  async function runChanges(
    deploymentId: string,
    changes: Change[],
    options: { parallelism?: number | undefined; continueOnError?: boolean | undefined },
    extra: ToolExtra,
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
      const result = await applyChange(deploymentId, change, extra);
      if (result.status === "failed") failed ??= change.name;
      return result;
    });
  }

  const tools: ToolHandlers = {
    describeResourceTypes: async ({ types, query }: ToolInput<"describeResourceTypes">) => ({
      protocol: PROTOCOL_VERSION,
      types: await registry.describe({ types, query }),
    }),

    validateConfig: async ({ resources }: ToolInput<"validateConfig">) => {
      const issues = await validateAll(resources);
      return { valid: !issues.some((issue) => issue.severity === "error"), issues };
    },

    planDeployment: async ({ deploymentId, resources, current, options }: ToolInput<"planDeployment">) => {
      // A type this server does not serve is never planned (as a create or otherwise).
      for (const resource of resources) await registry.require(resource.type);
      const issues = (await validateAll(resources)).filter((issue) => issue.severity === "error");
      if (issues.length > 0) {
        throw new ProviderError("VALIDATION_FAILED", `${issues.length} validation error(s)`, {
          details: { issues },
        });
      }
      const currentByName = new Map(current.map((entry) => [entry.name, entry]));
      const desiredNames = new Set(resources.map((resource) => resource.name));
      const refresh = options?.refresh === true;
      const changes: Change[] = await mapLimit(resources, 8, async (resource) =>
        planResource(await handlerFor(resource.type), (type) => registry.canonical(type), {
          deploymentId,
          resource,
          current: currentByName.get(resource.name),
          refresh,
        }),
      );
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

    applyDeployment: async (
      { deploymentId, changes, options }: ToolInput<"applyDeployment">,
      extra = {},
    ) => ({
      results: await runChanges(deploymentId, changes, options ?? {}, extra),
    }),

    destroyDeployment: async ({ deploymentId, resources }: ToolInput<"destroyDeployment">, extra = {}) => {
      const changes: Change[] = resources.map((resource) => ({
        name: resource.name,
        type: resource.type,
        action: "delete",
        id: resource.id,
        diff: [],
      }));
      // Destroy keeps going past a failure so that one stuck resource does not strand the rest.
      return {
        results: await runChanges(deploymentId, changes, { parallelism: 1, continueOnError: true }, extra),
      };
    },

    getDeploymentState: async ({ deploymentId }: ToolInput<"getDeploymentState">) => ({
      resources: await listed({ deploymentId }),
    }),

    listResources: async ({ filter }: ToolInput<"listResources">) => ({
      resources: await listed({
        ...(filter?.type ? { type: filter.type } : {}),
        ...(filter?.deploymentId ? { deploymentId: filter.deploymentId } : {}),
      }),
    }),

    getResource: async ({ type, id }: ToolInput<"getResource">): Promise<ToolData<"getResource">> => {
      const found = await (await handlerFor(type)).read(id);
      if (!found) throw new ProviderError("NOT_FOUND", `${type} ${id} does not exist`);
      return { id, type, properties: found.properties, outputs: found.outputs };
    },

    createSnapshot: async ({ deploymentId }: ToolInput<"createSnapshot">) => {
      const entries = await definition.list({ deploymentId });
      const record: SnapshotRecord = {
        snapshotId: `snap-${deploymentId}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        deploymentId,
        createdAt: new Date().toISOString(),
        resources: entries.map((entry) => ({
          type: entry.type,
          name: entry.name ?? entry.id,
          id: entry.id,
          properties: entry.properties,
        })),
      };
      await snapshots.save(record);
      const resources = record.resources.map((entry) => ({ ...entry, type: registry.mounted(entry.type) }));
      return { snapshotId: record.snapshotId, createdAt: record.createdAt, resources };
    },

    rollbackToSnapshot: async ({ snapshotId }: ToolInput<"rollbackToSnapshot">) => {
      const record = await snapshots.load(snapshotId);
      if (!record) throw new ProviderError("NOT_FOUND", `snapshot ${snapshotId} does not exist`);
      return restoreSnapshot(record, {
        list: definition.list,
        handlerFor,
        find: async (type) => (await registry.find(type))?.handler,
      });
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
