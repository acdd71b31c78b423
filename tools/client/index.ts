// Temporary (issue 13.1): the config file's loader and schema moved to agent/config.ts beside the
// composition root; re-exported here only so rooms not yet moved keep compiling. Import from
// agent/config.ts; this re-export is to go once nothing imports the config through tools/client.
export {
  CONFIG_FILE_NAMES,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  parseConfig,
  SANDBOX_NOTICE,
  SANDBOX_PREFIXES,
  sandboxConfig,
} from "../../agent/config.ts";
export type { McpIacConfig, ModelConfig, StateConfig } from "../../agent/config-schema.ts";
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
