import { changeRunner } from "./apply-changes.ts";
import { ProviderError } from "./errors.ts";
import { planResource } from "./plan-resource.ts";
import { ajvIssue, mapLimit, valueAt } from "./provider-parts.ts";
import {
  type Change,
  type ListedResource,
  PROTOCOL_VERSION,
  type Resource,
  type ValidationIssue,
} from "./schemas.ts";
import { createProviderServer, type ToolHandlers } from "./server.ts";
import { memorySnapshotStore, type SnapshotStore, snapshotTools } from "./snapshots.ts";
import type { ToolData, ToolInput } from "./tools.ts";
import type { ResourceTypeHandler } from "./type-handler.ts";
import { TypeRegistry } from "./type-registry.ts";

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
  const handlerFor = async (type: string) => (await registry.require(type)).handler;
  const validateAll = resourceValidator(registry);
  const { runChanges } = changeRunner({
    handlerFor,
    findManaged: async (deploymentId, type, name) => {
      if (definition.findManaged) return definition.findManaged({ deploymentId, type, name });
      const found = await definition.list({ type, deploymentId });
      return found.find((entry) => entry.name === name && entry.type === type);
    },
  });
  const tools: ToolHandlers = {
    describeResourceTypes: async ({ types, query }: ToolInput<"describeResourceTypes">) => ({
      protocol: PROTOCOL_VERSION,
      types: await registry.describe({ types, query }),
    }),
    validateConfig: async ({ resources }: ToolInput<"validateConfig">) => {
      const issues = await validateAll(resources);
      return { valid: !issues.some((issue) => issue.severity === "error"), issues };
    },
    planDeployment: (input: ToolInput<"planDeployment">) => planAll(registry, validateAll, input),
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
    ...readTools(definition, registry, handlerFor),
    ...snapshotTools(
      {
        list: definition.list,
        handlerFor,
        find: async (type) => (await registry.find(type))?.handler,
        mounted: (type) => registry.mounted(type),
      },
      definition.snapshots ?? memorySnapshotStore(),
    ),
  };

  return {
    tools,
    /**
     * The MCP server for this provider: over its own tools, or over `handlers` when the provider
     * wraps them (a guard, a fault injector), under the definition's name, version and instructions.
     */
    server: (handlers: ToolHandlers = tools) =>
      createProviderServer({
        name: definition.name,
        version: definition.version,
        handlers,
        ...(definition.instructions ? { instructions: definition.instructions } : {}),
      }),
  };
}

/** The tools that read the platform: a deployment's resources, a listing, one resource. */
function readTools(
  definition: ResourceProviderDefinition,
  registry: TypeRegistry,
  handlerFor: (type: string) => Promise<ResourceTypeHandler>,
) {
  const listed = async (filter: { type?: string; deploymentId?: string }) =>
    (await definition.list(filter.type ? { ...filter, type: registry.canonical(filter.type) } : filter)).map(
      (entry) => ({ ...entry, type: registry.mounted(entry.type) }),
    );
  return {
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
  };
}

/** Every check of the resources: the type is served, the schema holds, the handler's own checks. */
function resourceValidator(registry: TypeRegistry) {
  async function validateOne(resource: Resource): Promise<ValidationIssue[]> {
    const entry = await registry.find(resource.type);
    if (!entry) {
      const message = registry.unsupportedMessage(resource.type);
      return [{ resource: resource.name, path: "type", message, severity: "error" }];
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
  return async (resources: Resource[]) => (await Promise.all(resources.map(validateOne))).flat();
}

/** planDeployment: one change per desired resource, and a delete for each current one not desired. */
async function planAll(
  registry: TypeRegistry,
  validateAll: (resources: Resource[]) => Promise<ValidationIssue[]>,
  { deploymentId, resources, current, options }: ToolInput<"planDeployment">,
) {
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
    planResource((await registry.require(resource.type)).handler, (type) => registry.canonical(type), {
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
}
