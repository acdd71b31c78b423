import { z } from "zod";
import {
  ChangeSchema,
  ListedResourceSchema,
  PROTOCOL_VERSION,
  PropertyMapSchema,
  ResourceSchema,
  ResourceTypeInfoSchema,
  ResultSchema,
  StateResourceSchema,
  ValidationIssueSchema,
} from "./schemas.ts";

/** The ten tools of iac.mcp/v1, with the names from the founding architecture. */
export const TOOL_NAMES = [
  "describeResourceTypes",
  "validateConfig",
  "planDeployment",
  "applyDeployment",
  "destroyDeployment",
  "getDeploymentState",
  "listResources",
  "getResource",
  "createSnapshot",
  "rollbackToSnapshot",
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Input shapes (zod raw shapes, as MCP servers register them). */
export const TOOL_INPUTS = {
  describeResourceTypes: {
    types: z.array(z.string()).optional(),
    query: z.string().optional(),
  },
  validateConfig: { resources: z.array(ResourceSchema) },
  planDeployment: {
    deploymentId: z.string(),
    resources: z.array(ResourceSchema),
    current: z.array(StateResourceSchema).default([]),
    options: z.object({ refresh: z.boolean().optional() }).optional(),
  },
  applyDeployment: {
    deploymentId: z.string(),
    changes: z.array(ChangeSchema),
    options: z
      .object({
        parallelism: z.number().int().positive().optional(),
        continueOnError: z.boolean().optional(),
      })
      .optional(),
  },
  destroyDeployment: { deploymentId: z.string(), resources: z.array(StateResourceSchema) },
  getDeploymentState: { deploymentId: z.string() },
  listResources: {
    filter: z.object({ type: z.string().optional(), deploymentId: z.string().optional() }).optional(),
  },
  getResource: { type: z.string(), id: z.string() },
  createSnapshot: { deploymentId: z.string() },
  rollbackToSnapshot: { snapshotId: z.string() },
} as const satisfies Record<ToolName, z.ZodRawShape>;

export type ToolInput<T extends ToolName> = z.output<z.ZodObject<(typeof TOOL_INPUTS)[T]>>;
/** What a caller passes to a tool: the input shape before defaults are applied. */
export type ToolArguments<T extends ToolName> = z.input<z.ZodObject<(typeof TOOL_INPUTS)[T]>>;

/** What `data` holds on success, per tool. */
export const TOOL_DATA = {
  describeResourceTypes: z.object({
    protocol: z.literal(PROTOCOL_VERSION),
    types: z.array(ResourceTypeInfoSchema),
  }),
  validateConfig: z.object({ valid: z.boolean(), issues: z.array(ValidationIssueSchema) }),
  planDeployment: z.object({ changes: z.array(ChangeSchema) }),
  applyDeployment: z.object({ results: z.array(ResultSchema) }),
  destroyDeployment: z.object({ results: z.array(ResultSchema) }),
  getDeploymentState: z.object({ resources: z.array(ListedResourceSchema) }),
  listResources: z.object({ resources: z.array(ListedResourceSchema) }),
  getResource: z.object({
    id: z.string(),
    type: z.string(),
    properties: PropertyMapSchema,
    outputs: PropertyMapSchema,
  }),
  createSnapshot: z.object({
    snapshotId: z.string(),
    createdAt: z.string(),
    resources: z.array(z.unknown()),
  }),
  rollbackToSnapshot: z.object({ restored: z.array(z.string()), deleted: z.array(z.string()) }),
} as const satisfies Record<ToolName, z.ZodType>;

export type ToolData<T extends ToolName> = z.output<(typeof TOOL_DATA)[T]>;

export const TOOL_DESCRIPTIONS: Record<ToolName, string> = {
  describeResourceTypes:
    "List the resource types this provider manages, with JSON schemas for properties and outputs. " +
    "With no input, the types it describes in full; `types` names others to describe on demand, `query` searches.",
  validateConfig: "Check resources against this provider's schemas and rules without changing anything.",
  planDeployment:
    "Compute the changes (create, update, replace, delete, noop) that would bring reality to the desired resources.",
  applyDeployment:
    "Carry out planned changes whose inputs are fully resolved; returns one result per change.",
  destroyDeployment: "Delete the given resources of a deployment.",
  getDeploymentState: "This provider's own record of the resources it manages for a deployment.",
  listResources:
    "List resources on the platform, managed by mcp-iac or not (discovery, import, crash recovery).",
  getResource: "Read one resource by type and id; NOT_FOUND when it does not exist.",
  createSnapshot: "Record the current configuration of a deployment's resources so that it can be restored.",
  rollbackToSnapshot: "Restore a deployment's resources to a snapshot.",
};
