import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { IacError } from "../agent/errors.ts";
import type { EventSink } from "../agent/events.ts";
import type { Workspace } from "../agent/operations.ts";
import { SecretScrubber, secretsFromConfig } from "../agent/secrets.ts";
import { createFileBackend, createPostgresBackend, type StateBackend } from "../agent/state/index.ts";

import { type LoadedConfig, loadConfig, ProviderClients, SANDBOX_NOTICE } from "../tools/client/index.ts";
import type { GlobalFlags } from "./args.ts";
import { BUILTIN_PROVIDERS } from "./builtin-providers.ts";

/** How this installation runs itself, so that `builtin: NAME` servers come from the same code. */
export function selfCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [fileURLToPath(new URL("../bin/agent.js", import.meta.url))] };
}

export interface OpenedWorkspace extends Workspace {
  loaded: LoadedConfig;
  clients: ProviderClients;
  /** Per-server parallelism limits from the config. */
  perServer: Record<string, number>;
  close(): Promise<void>;
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
    {
      exitCode: 2,
      hint: 'use state: { backend: "file" }',
    },
  );
}

/** The built-in providers of this installation, checked at config load. */
const builtinNames = Object.keys(BUILTIN_PROVIDERS);

/**
 * Every command's events pass through `scrubber`, filled here with the credentials the config names
 * (servers' env and headers): a provider that echoes one in an error never gets it printed.
 */
export function openWorkspace(
  global: GlobalFlags,
  emit: EventSink,
  scrubber: SecretScrubber = new SecretScrubber(),
): OpenedWorkspace {
  const cwd = resolve(global.cwd);
  const loaded = loadConfig({
    cwd,
    configFile: global.config,
    ...(builtinNames.length > 0 ? { builtins: builtinNames } : {}),
  });
  secretsFromConfig(
    loaded.config.mcpServers as Record<
      string,
      { env?: Record<string, string>; headers?: Record<string, string> }
    >,
    process.env,
    scrubber,
  );
  const scrubbed: EventSink = (event) => emit(scrubber.scrubDeep(event));
  if (loaded.sandbox) scrubbed({ type: "notice", level: "info", message: SANDBOX_NOTICE });
  const clients = new ProviderClients(loaded.config.mcpServers, { cwd, builtinCommand: selfCommand() });
  const perServer: Record<string, number> = {};
  for (const [name, entry] of Object.entries(loaded.config.mcpServers)) {
    const parallelism = (entry as { parallelism?: number }).parallelism;
    if (parallelism) perServer[name] = parallelism;
  }
  const state = stateBackendFor(loaded, cwd);
  return {
    loaded,
    clients,
    gateway: clients,
    state,
    emit: scrubbed,
    perServer,
    close: async () => {
      try {
        await clients.close();
      } finally {
        await state.close?.();
      }
    },
  };
}
