import { join, resolve } from "node:path";
import { createMemoryStore, type MemoryStore } from "../memory/index.ts";
import { type Enforcement, loadPolicies, type PolicySet } from "../policies/index.ts";
import { type BuiltinCommand, ProviderClients } from "../tools/client/index.ts";
import { type LoadedConfig, loadConfig } from "./config.ts";
import { IacError } from "./errors.ts";
import { type EventSink, type StampedSink, stampEvents } from "./events.ts";
import { type ModelSelection, selectModel } from "./llm/select.ts";
import type { Workspace } from "./operations.ts";
import type { AgentServices } from "./run.ts";
import { SecretScrubber, secretsFromConfig } from "./secrets.ts";
import { createFileBackend, createPostgresBackend, type StateBackend } from "./state/index.ts";

/**
 * The one place a loaded config becomes a run's services (issue 13.1): the CLI's commands, the
 * TUI, `agent mcp`, the evals' sandbox and the test harness all start here, so a new setting is
 * wired once and every command's events pass through the same scrubber.
 */
export interface RootOptions {
  cwd: string;
  /** `--config FILE`, relative to cwd; ignored when `loaded` is given. */
  configFile?: string | undefined;
  /** A config built in code (the evals' sandbox, tests) instead of one read from cwd. */
  loaded?: LoadedConfig;
  /** Where credentials and model keys are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The built-in providers of this installation, checked when the config loads. */
  builtins?: readonly string[];
  /** How this installation runs itself, for `builtin: NAME` servers. */
  builtinCommand: BuiltinCommand;
  /** `--model`: overrides the config's model name. */
  modelName?: string | undefined;
  /** A model chosen by the caller (a scripted one in evals and tests) instead of the config's. */
  model?: ModelSelection;
  /** Default `<cwd>/.mcp-iac/memory.json`. */
  memoryFile?: string;
  /** Shared with a caller that scrubs its own output too (the CLI's stdout). */
  scrubber?: SecretScrubber;
}

export interface AgentRoot {
  cwd: string;
  loaded: LoadedConfig;
  clients: ProviderClients;
  state: StateBackend;
  scrubber: SecretScrubber;
  /** The configured server names, so the planner sees every schema. */
  servers: string[];
  /** Per-server parallelism limits from the config. */
  perServer: Record<string, number>;
  /** Scrubs, numbers and times every event before `consumer` sees it. */
  sink(consumer: StampedSink): EventSink;
  /** Gateway and state over `sink(consumer)`. */
  workspace(consumer: StampedSink): Workspace;
  policies(options?: { allowDestroy?: boolean }): Promise<PolicySet>;
  /** A memory store the caller closes. */
  openMemory(): MemoryStore;
  /** The model that serves (chosen once), or the offline planner. */
  model(): ModelSelection;
  /** What `runGoal` works with, over a workspace of this root (its events already through `sink`). */
  services(parts: { workspace: Workspace; memory: MemoryStore; policies: PolicySet }): AgentServices;
  close(): Promise<void>;
}

export function memoryFileFor(cwd: string): string {
  return join(resolve(cwd), ".mcp-iac", "memory.json");
}

/** The policies of a run: the config's sources (baseline by default) and its per-rule overrides. */
export async function policiesFor(
  loaded: LoadedConfig,
  cwd: string,
  options: { allowDestroy?: boolean } = {},
): Promise<PolicySet> {
  const overrides: Record<string, Enforcement> = { ...(loaded.config.policyEnforcement ?? {}) };
  // --allow-destroy is the explicit approval the baseline asks for before a stateful delete.
  if (options.allowDestroy) overrides["baseline/stateful-change-approval"] = "advisory";
  return loadPolicies(loaded.config.policies ?? ["builtin:baseline"], { cwd: resolve(cwd), overrides });
}

/** `close`, where present, frees what the backend holds open (the PostgreSQL pool). */
export function stateBackendFor(
  loaded: LoadedConfig,
  cwd: string,
): StateBackend & { close?: () => Promise<void> } {
  const backend = loaded.config.state?.backend ?? "file";
  if (backend === "file") return createFileBackend(resolve(cwd, loaded.config.state?.path ?? ".mcp-iac"));
  if (/^postgres(ql)?:\/\//.test(backend)) return createPostgresBackend(backend);
  throw new IacError(
    "CONFIG",
    `state backend "${backend.replace(/\/\/[^@]*@/, "//…@")}" is not available in this version`,
    { exitCode: 2, hint: 'use state: { backend: "file" }' },
  );
}

function perServerLimits(loaded: LoadedConfig): Record<string, number> {
  const perServer: Record<string, number> = {};
  for (const [name, entry] of Object.entries(loaded.config.mcpServers)) {
    const parallelism = (entry as { parallelism?: number }).parallelism;
    if (parallelism) perServer[name] = parallelism;
  }
  return perServer;
}

/** Loads (or takes) the config and opens its clients and state; nothing starts until first use. */
export function composeAgent(options: RootOptions): AgentRoot {
  const cwd = resolve(options.cwd);
  const env = options.env ?? process.env;
  const loaded =
    options.loaded ??
    loadConfig({
      cwd,
      configFile: options.configFile,
      ...(options.builtins && options.builtins.length > 0 ? { builtins: options.builtins } : {}),
    });
  const scrubber = options.scrubber ?? new SecretScrubber();
  // Credentials the config names (servers' env and headers) and the model keys are never printed.
  secretsFromConfig(
    loaded.config.mcpServers as Record<
      string,
      { env?: Record<string, string>; headers?: Record<string, string> }
    >,
    env,
    scrubber,
  );
  const clients = new ProviderClients(loaded.config.mcpServers, {
    cwd,
    builtinCommand: options.builtinCommand,
  });
  const state = stateBackendFor(loaded, cwd);
  let selected = options.model;
  const sink = (consumer: StampedSink): EventSink => {
    const stamped = stampEvents(consumer);
    return (event) => stamped(scrubber.scrubDeep(event));
  };
  const model = () => {
    selected ??= selectModel(loaded.config.model, env, options.modelName ? { model: options.modelName } : {});
    return selected;
  };
  const servers = Object.keys(loaded.config.mcpServers);
  const workspace = (consumer: StampedSink): Workspace => ({ gateway: clients, state, emit: sink(consumer) });
  return {
    cwd,
    loaded,
    clients,
    state,
    scrubber,
    servers,
    perServer: perServerLimits(loaded),
    sink,
    workspace,
    policies: (policyOptions) => policiesFor(loaded, cwd, policyOptions),
    openMemory: () => createMemoryStore({ file: options.memoryFile ?? memoryFileFor(cwd) }),
    model,
    services: ({ workspace, memory, policies }) => ({
      workspace,
      servers,
      policies,
      memory,
      model: model().model,
      modelDescription: model().description,
      scrubber,
    }),
    close: async () => {
      try {
        await clients.close();
      } finally {
        await state.close?.();
      }
    },
  };
}
