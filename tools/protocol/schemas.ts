import { z } from "zod";
import { ERROR_CODES } from "./codes.ts";

/** The protocol version every provider announces in describeResourceTypes. */
export const PROTOCOL_VERSION = "iac.mcp/v1";

export const PropertyMapSchema = z.record(z.string(), z.unknown());
export type PropertyMap = Record<string, unknown>;

/**
 * `provider:module:kind`, more segments allowed; the first segment routes to a server. Segments after
 * the first may hold `.` and `/` (`kubernetes:networking.k8s.io/v1:Ingress`).
 */
export const ResourceTypeSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]*(:[a-z0-9][a-z0-9./-]*){2,}$/i,
    "a type is provider:module:kind, e.g. aws:ec2:instance",
  );

export const ResourceNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    "a name is letters, digits, '_' and '-', starting with a letter or digit",
  );

export const CheckSchema = z.union([
  z
    .object({
      http: z.string().url(),
      expect: z.number().int().min(100).max(599).default(200),
      timeoutMs: z.number().int().positive().optional(),
      retries: z.number().int().min(0).optional(),
      intervalMs: z.number().int().min(0).optional(),
    })
    .strict(),
  z
    .object({
      tcp: z.string().regex(/^.+:\d+$/, "a tcp check is host:port"),
      timeoutMs: z.number().int().positive().optional(),
      retries: z.number().int().min(0).optional(),
      intervalMs: z.number().int().min(0).optional(),
    })
    .strict(),
]);
export type Check = z.infer<typeof CheckSchema>;

export const ResourceSchema = z.object({
  type: ResourceTypeSchema,
  name: ResourceNameSchema,
  properties: PropertyMapSchema.default({}),
  dependsOn: z.array(z.string()).optional(),
  checks: z.array(CheckSchema).optional(),
});
export type Resource = z.infer<typeof ResourceSchema>;

export const StateResourceSchema = ResourceSchema.extend({
  id: z.string(),
  outputs: PropertyMapSchema.default({}),
  status: z.string().default("created"),
});
export type StateResource = z.infer<typeof StateResourceSchema>;

export const CHANGE_ACTIONS = ["create", "update", "replace", "delete", "noop"] as const;
export const ChangeActionSchema = z.enum(CHANGE_ACTIONS);
export type ChangeAction = z.infer<typeof ChangeActionSchema>;

export const DiffEntrySchema = z.object({
  path: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  forcesReplacement: z.boolean().default(false),
});
export type DiffEntry = z.infer<typeof DiffEntrySchema>;

export const ChangeSchema = z.object({
  name: z.string(),
  type: ResourceTypeSchema,
  action: ChangeActionSchema,
  /**
   * The existing resource's id. On a create it names the resource of the same name that this create
   * replaces (create before destroy): the provider must make a new one beside it, not adopt it.
   */
  id: z.string().optional(),
  before: PropertyMapSchema.optional(),
  after: PropertyMapSchema.optional(),
  outputs: PropertyMapSchema.optional(),
  diff: z.array(DiffEntrySchema).default([]),
  /** Optional extras a provider may report: estimated monthly cost in USD. */
  estimatedMonthlyCost: z.number().optional(),
  /**
   * The idempotency key of this change in applyDeployment: the same across the engine's retries and a
   * recovery after a crash, so a provider that can (a client token, a label) makes one resource of a
   * create sent twice.
   */
  operationId: z.string().optional(),
});
export type Change = z.infer<typeof ChangeSchema>;

export const ErrorCodeSchema = z.enum(ERROR_CODES);

export const ProviderErrorBodySchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
  retryable: z.boolean(),
});
export type ProviderErrorBody = z.infer<typeof ProviderErrorBodySchema>;

export const MetadataSchema = z.object({
  timestamp: z.string(),
  duration: z.number(),
  server: z.string(),
  version: z.string(),
});
export type Metadata = z.infer<typeof MetadataSchema>;

export const EnvelopeSchema = z.object({
  success: z.boolean(),
  data: z.unknown().optional(),
  error: ProviderErrorBodySchema.optional(),
  metadata: MetadataSchema,
});
export type Envelope<T = unknown> = {
  success: boolean;
  data?: T;
  error?: ProviderErrorBody;
  metadata: Metadata;
};

/** One entry of describeResourceTypes. */
export const ResourceTypeInfoSchema = z.object({
  type: ResourceTypeSchema,
  description: z.string(),
  properties: z.record(z.string(), z.unknown()),
  outputs: z.record(z.string(), z.unknown()),
  replaceOnChange: z.array(z.string()).default([]),
  secretProperties: z.array(z.string()).default([]),
  /** Output names the provider treats as secret. */
  secretOutputs: z.array(z.string()).optional(),
  /** Whether the resource holds data that a delete or replace would lose (databases, volumes). */
  stateful: z.boolean().optional(),
});
export type ResourceTypeInfo = z.infer<typeof ResourceTypeInfoSchema>;

export const ValidationIssueSchema = z.object({
  resource: z.string(),
  path: z.string(),
  message: z.string(),
  severity: z.enum(["error", "warning"]),
});
export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;

export const ResultSchema = z.object({
  name: z.string(),
  status: z.enum(["succeeded", "failed"]),
  id: z.string().optional(),
  outputs: PropertyMapSchema.optional(),
  error: ProviderErrorBodySchema.optional(),
});
export type OperationResult = z.infer<typeof ResultSchema>;

export const ListedResourceSchema = z.object({
  id: z.string(),
  type: z.string(),
  name: z.string().optional(),
  deploymentId: z.string().optional(),
  properties: PropertyMapSchema,
  outputs: PropertyMapSchema,
  managed: z.boolean().optional(),
});
export type ListedResource = z.infer<typeof ListedResourceSchema>;
