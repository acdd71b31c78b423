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

/**
 * V8 flags for the built-in provider servers this installation spawns. A provider's working set is
 * small and short-lived (one request's messages), yet V8 sizes the young generation from the machine's
 * memory: 64 MB semi-spaces on a 24 GB machine, committed in each of the four sandbox servers once a
 * large plan churns through them. 16 MB holds a provider's garbage just as well: measured on 100,000
 * resources, each server's peak fell from about 250 MB to 190 MB, with no more CPU.
 */
export const PROVIDER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=16"];

/** How this installation runs itself, so that `builtin: NAME` servers come from the same code. */
export function selfCommand(): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [...PROVIDER_NODE_FLAGS, fileURLToPath(new URL("../bin/agent.js", import.meta.url))],
  };
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
