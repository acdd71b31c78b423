import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { parseDocument } from "yaml";
import { parseServers, zodIssues } from "../tools/client/config.ts";
import { ConfigError, type ConfigIssue } from "../tools/client/errors.ts";
import { type McpIacConfig, type ModelConfig, TOP_LEVEL_KEYS, TopLevelSchema } from "./config-schema.ts";

/** Looked for in the working folder, in this order. */
export const CONFIG_FILE_NAMES = [
  "mcp-iac.config.yaml",
  "mcp-iac.config.yml",
  "mcp-iac.config.json",
] as const;

export const SANDBOX_PREFIXES = ["opnsense", "aws", "kubernetes", "docker"] as const;

/** Said plainly whenever the sandbox serves (design §7). */
export const SANDBOX_NOTICE =
  `Sandbox: no mcp-iac.config.yaml here, so the built-in mock provider serves the ` +
  `${SANDBOX_PREFIXES.join(", ")} types and touches nothing real. ` +
  "Run `agent init` to write a config for the real providers this machine can reach.";

/** The profile used when there is no config file: mock providers, the baseline policy pack, file state. */
export function sandboxConfig(): McpIacConfig {
  return {
    mcpServers: Object.fromEntries(SANDBOX_PREFIXES.map((prefix) => [prefix, { builtin: "mock" }])),
    policies: ["builtin:baseline"],
    state: { backend: "file" },
  };
}

export interface LoadConfigOptions {
  cwd: string;
  /** `--config FILE`, relative to cwd. */
  configFile?: string | undefined;
  /** The built-in providers of this installation; a `builtin:` naming another is a config error. */
  builtins?: readonly string[];
}

export interface LoadedConfig {
  config: McpIacConfig;
  /** The absolute path of the file read, or "sandbox". */
  source: string;
  sandbox: boolean;
}

/** Finds and checks the config; with no file (and no --config), the sandbox profile. Throws ConfigError. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const loaded = loadConfigFile(options);
  if (options.builtins) checkBuiltins(loaded, resolve(options.cwd), options.builtins);
  return loaded;
}

/** At load time, not at first use: an unknown built-in is a typo in the config (exit 2). */
function checkBuiltins(loaded: LoadedConfig, cwd: string, builtins: readonly string[]): void {
  const issues: ConfigIssue[] = [];
  for (const [name, entry] of Object.entries(loaded.config.mcpServers)) {
    const builtin = (entry as { builtin?: string }).builtin;
    if (builtin !== undefined && !builtins.includes(builtin)) {
      issues.push({
        path: `mcpServers.${name}.builtin`,
        message: `there is no built-in provider "${builtin}"; the built-ins are ${builtins.join(", ")}`,
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(displayPath(cwd, loaded.source), issues);
}

function loadConfigFile(options: LoadConfigOptions): LoadedConfig {
  const cwd = resolve(options.cwd);
  if (options.configFile !== undefined) {
    const file = resolve(cwd, options.configFile);
    const shown = displayPath(cwd, file);
    if (!existsSync(file)) {
      throw new ConfigError(shown, [{ path: "", message: "file not found; check the --config path" }]);
    }
    return { config: readConfigFile(file, shown), source: file, sandbox: false };
  }
  const found = CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).filter((file) => existsSync(file));
  if (found.length > 1) {
    throw new ConfigError(displayPath(cwd, found[0]!), [
      {
        path: "",
        message: `more than one config file here (${found.map((file) => displayPath(cwd, file)).join(", ")}); keep one`,
      },
    ]);
  }
  const file = found[0];
  if (!file) return { config: sandboxConfig(), source: "sandbox", sandbox: true };
  return { config: readConfigFile(file, displayPath(cwd, file)), source: file, sandbox: false };
}

function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

function readConfigFile(file: string, shown: string): McpIacConfig {
  let text: string;
  try {
    if (statSync(file).isDirectory())
      throw new ConfigError(shown, [{ path: "", message: "is a folder, not a file" }]);
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    throw new ConfigError(shown, [{ path: "", message: `cannot be read (${(error as Error).message})` }]);
  }
  return parseConfig(parseText(text, file, shown), shown);
}

function parseText(text: string, file: string, shown: string): unknown {
  if (file.endsWith(".json")) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError(shown, [{ path: "", message: `is not valid JSON: ${(error as Error).message}` }]);
    }
  }
  const document = parseDocument(text);
  const first = document.errors[0];
  if (first) {
    const where = first.linePos?.[0] ? `line ${first.linePos[0].line}, column ${first.linePos[0].col}` : "";
    const reason = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigError(shown, [
      { path: "", message: `is not valid YAML${where ? ` (${where})` : ""}: ${reason}` },
    ]);
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolved aliases and alias bombs surface only when the document is turned into values.
    throw new ConfigError(shown, [{ path: "", message: `is not valid YAML: ${(error as Error).message}` }]);
  }
}

/**
 * Checks a parsed config object. `file` is only used in messages. Every problem is reported at
 * once, each with its path, so that one edit fixes them all.
 */
export function parseConfig(raw: unknown, file: string): McpIacConfig {
  if (raw === null || raw === undefined) {
    throw new ConfigError(file, [
      {
        path: "",
        message: "is empty; add an mcpServers block (see `agent init`), or delete it to use the sandbox",
      },
    ]);
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(file, [
      { path: "", message: `must be a mapping with the keys ${TOP_LEVEL_KEYS.slice(0, 4).join(", ")}` },
    ]);
  }
  const issues: ConfigIssue[] = [];
  const top = TopLevelSchema.safeParse(raw);
  if (!top.success) issues.push(...zodIssues(top.error, [], topLevelUnknownKey));
  // Server entries are checked even when the top level has problems, so that one pass reports all.
  const servers = parseServers((raw as { mcpServers?: unknown }).mcpServers, issues);
  if (!top.success || issues.length > 0) throw new ConfigError(file, issues);

  const config: McpIacConfig = { mcpServers: servers };
  if (top.data.model !== undefined) {
    config.model =
      typeof top.data.model === "string" ? { name: top.data.model } : (top.data.model as ModelConfig);
  }
  if (top.data.policies !== undefined) config.policies = top.data.policies;
  if (top.data.policyEnforcement !== undefined) config.policyEnforcement = top.data.policyEnforcement;
  if (top.data.state !== undefined) {
    config.state = { backend: top.data.state.backend };
    if (top.data.state.path !== undefined) config.state.path = top.data.state.path;
  }
  return config;
}

function topLevelUnknownKey(key: string): string {
  return `unknown top-level key "${key}"; a config holds only ${TOP_LEVEL_KEYS.slice(0, 4).join(", ")}`;
}
