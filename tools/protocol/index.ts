export { ERROR_CODES, type ErrorCode, isErrorCode, isRetryableByDefault } from "./codes.ts";
export { ProviderError, toErrorBody } from "./errors.ts";
export {
  type CreatedResource,
  createResourceProvider,
  diffProperties,
  type HandlerContext,
  type JsonSchema,
  memorySnapshotStore,
  type PlannedUpdate,
  type ReadResource,
  type ResourceProviderDefinition,
  type ResourceTypeHandler,
  type SnapshotEntry,
  type SnapshotRecord,
  type SnapshotStore,
} from "./resource-provider.ts";
export {
  type Change,
  type ChangeAction,
  ChangeSchema,
  type Check,
  CheckSchema,
  type DiffEntry,
  type Envelope,
  EnvelopeSchema,
  type ListedResource,
  type OperationResult,
  PROTOCOL_VERSION,
  type PropertyMap,
  type ProviderErrorBody,
  type Resource,
  ResourceSchema,
  type ResourceTypeInfo,
  ResourceTypeInfoSchema,
  type StateResource,
  StateResourceSchema,
  type ValidationIssue,
} from "./schemas.ts";
export {
  deepEqual,
  isSecretDigest,
  SECRET_KEY,
  type SecretDigest,
  sameSecretAware,
  secretDigest,
} from "./secrets.ts";
export { type ServeOptions, serveProvider } from "./serve.ts";
export {
  createProviderServer,
  envelopeResult,
  type ProviderServerDefinition,
  runInEnvelope,
  serveStdio,
  type ToolExtra,
  type ToolHandlers,
} from "./server.ts";
export {
  TOOL_DATA,
  TOOL_DESCRIPTIONS,
  TOOL_INPUTS,
  TOOL_NAMES,
  type ToolArguments,
  type ToolData,
  type ToolInput,
  type ToolName,
} from "./tools.ts";
export { containsUnknown, isUnknown, UNKNOWN_KEY, type UnknownValue, unknownValue } from "./unknown.ts";
