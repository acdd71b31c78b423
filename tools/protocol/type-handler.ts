import type { DiffEntry, PropertyMap, ValidationIssue } from "./schemas.ts";

export type JsonSchema = Record<string, unknown>;

export interface HandlerContext {
  deploymentId: string;
  /** The resource's name in its deployment. */
  name: string;
  /**
   * The change's idempotency key: the same across the engine's retries and a recovery after a crash.
   * A handler that can make a create idempotent with it (a client token, a label) should.
   */
  operationId?: string;
  /** Reports that a long operation is alive (an MCP progress notification); the client resets its timeout on each. */
  progress?(message: string): void;
}

export interface CreatedResource {
  id: string;
  outputs: PropertyMap;
}

export interface ReadResource {
  properties: PropertyMap;
  outputs: PropertyMap;
}

/** What a handler's own planning of an existing resource found; null from `plan` means it is gone. */
export interface PlannedUpdate {
  before: PropertyMap;
  outputs: PropertyMap;
  diff: DiffEntry[];
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
  delete(id: string, context?: HandlerContext): Promise<void>;
  /**
   * Plans an existing resource against the live platform (a server-side dry run, say), so that the
   * diff shows what the platform would make of it. Without it, plan diffs the recorded (or, when
   * refreshing, the read) properties. A diff entry with forcesReplacement makes a replace.
   */
  plan?(
    id: string,
    desired: PropertyMap,
    current: ReadResource,
    context: HandlerContext,
  ): Promise<PlannedUpdate | null>;
  estimateMonthlyCost?(properties: PropertyMap): number | undefined;
}
