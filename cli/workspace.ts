import { fileURLToPath } from "node:url";
import { type AgentRoot, composeAgent } from "../agent/compose.ts";
import { type LoadedConfig, SANDBOX_NOTICE } from "../agent/config.ts";
import type { EventSink } from "../agent/events.ts";
import type { Workspace } from "../agent/operations.ts";
import type { SecretScrubber } from "../agent/secrets.ts";
import type { ProviderClients } from "../tools/client/index.ts";
import type { GlobalFlags } from "./args.ts";
import { BUILTIN_PROVIDERS } from "./builtin-providers.ts";

export { stateBackendFor } from "../agent/compose.ts";

/** How this installation runs itself, so that `builtin: NAME` servers come from the same code. */
export function selfCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [fileURLToPath(new URL("../bin/agent.js", import.meta.url))] };
}

export interface OpenedWorkspace extends Workspace {
  /** The composition root the workspace came from: policies, memory and model for a goal run. */
  root: AgentRoot;
  loaded: LoadedConfig;
  clients: ProviderClients;
  /** Per-server parallelism limits from the config. */
  perServer: Record<string, number>;
  close(): Promise<void>;
}

/** The built-in providers of this installation, checked at config load. */
const builtinNames = Object.keys(BUILTIN_PROVIDERS);

/** The composition root as the CLI opens it: the config of --config or cwd, this installation's built-ins. */
export function openRoot(global: GlobalFlags, scrubber?: SecretScrubber, env?: NodeJS.ProcessEnv): AgentRoot {
  return composeAgent({
    cwd: global.cwd,
    configFile: global.config,
    builtins: builtinNames,
    builtinCommand: selfCommand(),
    modelName: global.model,
    ...(scrubber ? { scrubber } : {}),
    ...(env ? { env } : {}),
  });
}

/**
 * Every command's events pass through the root's sink: scrubbed of the credentials the config names
 * (servers' env and headers) and numbered and timed, so a provider that echoes one never gets it printed.
 */
export function openWorkspace(
  global: GlobalFlags,
  emit: EventSink,
  scrubber?: SecretScrubber,
): OpenedWorkspace {
  const root = openRoot(global, scrubber);
  const workspace = root.workspace(emit);
  if (root.loaded.sandbox) workspace.emit({ type: "notice", level: "info", message: SANDBOX_NOTICE });
  return {
    ...workspace,
    root,
    loaded: root.loaded,
    clients: root.clients,
    perServer: root.perServer,
    close: root.close,
  };
}
