import { join, resolve } from "node:path";
import {
  type Change,
  createResourceProvider,
  type ListedResource,
  type ServeOptions,
  serveProvider,
  type ToolHandlers,
} from "../../protocol/index.ts";
import { COMMAND_TYPE, commandType, commandUpdatesInPlace } from "./command-type.ts";
import { fileType } from "./file-type.ts";
import { createRecordStore } from "./record-store.ts";
import { stopRunningCommands } from "./run-shell.ts";
import { serviceType } from "./service-type.ts";

export const LOCAL_PROVIDER_NAME = "local";
export const LOCAL_PROVIDER_VERSION = "0.1.0";

const INSTRUCTIONS =
  "Manages files, shell commands and long-running processes on the machine this server runs on. Relative paths resolve against its working folder.";

export interface LocalProviderOptions {
  /** Where relative paths resolve; default the process's working folder. */
  cwd?: string;
  /** The provider's record and service logs; default $LOCAL_PROVIDER_STATE_DIR or <cwd>/.mcp-iac/local-provider. */
  stateDir?: string;
  /** How long a service gets after SIGTERM before SIGKILL; default 5 s. */
  stopGraceMs?: number;
}

/** A command change without an update command cannot run in place: the plan says replace. */
function commandReplacement(change: Change): Change {
  if (change.type !== COMMAND_TYPE || change.action !== "update" || commandUpdatesInPlace(change.after))
    return change;
  return {
    ...change,
    action: "replace",
    diff: change.diff.map((entry) => ({ ...entry, forcesReplacement: true })),
  };
}

/** The local provider: files, commands and long-running processes on this machine. */
export function createLocalProvider(options: LocalProviderOptions = {}) {
  const cwd = resolve(options.cwd ?? process.cwd());
  const stateDir = resolve(
    cwd,
    options.stateDir ?? process.env.LOCAL_PROVIDER_STATE_DIR ?? join(".mcp-iac", "local-provider"),
  );
  const records = createRecordStore(stateDir);
  const types = [
    fileType({ cwd, records }),
    commandType({ cwd, records }),
    serviceType({ cwd, stateDir, records, stopGraceMs: options.stopGraceMs ?? 5_000 }),
  ];
  const handlers = new Map(types.map((handler) => [handler.type, handler]));

  const provider = createResourceProvider({
    name: LOCAL_PROVIDER_NAME,
    version: LOCAL_PROVIDER_VERSION,
    instructions: INSTRUCTIONS,
    types,
    // Only what still exists: a vanished file or a dead service is not listed, so a create adopts nothing stale.
    async list(filter) {
      const listed: ListedResource[] = [];
      for (const record of await records.all()) {
        if (filter.type && record.type !== filter.type) continue;
        if (filter.deploymentId && record.deploymentId !== filter.deploymentId) continue;
        const live = await handlers.get(record.type)?.read(record.id);
        if (!live) continue;
        listed.push({
          id: record.id,
          type: record.type,
          name: record.name,
          deploymentId: record.deploymentId,
          properties: live.properties,
          outputs: live.outputs,
          managed: true,
        });
      }
      return listed;
    },
  });

  const tools: ToolHandlers = {
    ...provider.tools,
    planDeployment: async (input) => {
      const planned = await provider.tools.planDeployment(input);
      return { changes: planned.changes.map(commandReplacement) };
    },
  };

  return {
    tools,
    stateDir,
    cwd,
    /** A new MCP server for this provider (one per connection). */
    server: () => provider.server(tools),
  };
}

/** Serves the local provider over stdio. */
export async function main(options: ServeOptions = {}): Promise<void> {
  // A client that goes away (Ctrl-C in the CLI) stops the commands this server started.
  const provider = createLocalProvider();
  await serveProvider(
    () => provider.server(),
    options,
    () => stopRunningCommands(),
  );
}
