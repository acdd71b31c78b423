export { parseServers } from "./config.ts";
export {
  type BuiltinServerEntry,
  type HttpServerEntry,
  type ServerEntry,
  type ServerKind,
  type StdioServerEntry,
  serverKind,
} from "./config-schema.ts";
export type { BuiltinCommand } from "./connection.ts";
export {
  ClientsClosedError,
  ConfigError,
  type ConfigIssue,
  type ExitInfo,
  ProviderFailureError,
  ProviderUnavailableError,
  type UnavailableReason,
  UnknownServerError,
  UnknownTypeError,
} from "./errors.ts";
export {
  type CallOptions,
  DEFAULT_TIMEOUT_MS,
  ProviderClients,
  type ProviderClientsOptions,
  type ServerHealth,
  type ServerInfo,
  type ToolArguments,
} from "./registry.ts";
