import { EXIT, IacError } from "../../agent/errors.ts";
import type { StateBackend } from "../../agent/state/index.ts";
import { usageError } from "../args.ts";
import { requireName } from "./shared.ts";
import type { CommandContext, CommandDefinition } from "./types.ts";

export const stateCommand: CommandDefinition = {
  name: "state",
  usage: ["state list | state show NAME"],
  summary: "what state holds",
  flags: {},
  exitCodes: { 0: "listed or shown", 2: "bad usage or config, or no such deployment" },
  async run(context) {
    const { parsed, scrubber } = context;
    const sub = parsed.command[1];
    const cwd = parsed.global.cwd;
    const { loadConfig } = await import("../../agent/config.ts");
    const { secretsFromConfig } = await import("../../agent/secrets.ts");
    const { stateBackendFor } = await import("../workspace.ts");
    const loaded = loadConfig({ cwd, configFile: parsed.global.config });
    secretsFromConfig(
      loaded.config.mcpServers as Record<
        string,
        { env?: Record<string, string>; headers?: Record<string, string> }
      >,
      process.env,
      scrubber,
    );
    const backend = stateBackendFor(loaded, cwd);
    if (sub === "list") return listState(context, backend);
    if (sub === "show") return showState(context, backend, requireName(parsed, 2));
    throw usageError("agent state takes list or show NAME");
  },
};

async function listState(context: CommandContext, backend: StateBackend): Promise<number> {
  const { out } = context;
  const deployments = await backend.list();
  out.result({ command: "state list", backend: backend.describe(), deployments }, () => {
    if (deployments.length === 0) {
      out.line(`No deployments in ${backend.describe()}.`);
      return;
    }
    for (const entry of deployments) {
      out.line(
        `${entry.name.padEnd(24)} ${String(entry.resources).padStart(6)} resources  v${entry.version}  ${entry.updatedAt}${entry.pending ? `  ${entry.pending} pending` : ""}`,
      );
    }
  });
  return EXIT.ok;
}

async function showState(context: CommandContext, backend: StateBackend, name: string): Promise<number> {
  const { out } = context;
  const state = await backend.read(name);
  if (!state)
    throw new IacError("NO_SUCH_DEPLOYMENT", `no deployment named ${name} in state`, {
      exitCode: 2,
      hint: "`agent state list` shows what state holds",
    });
  out.result({ command: "state show", state }, () => {
    out.line(`${state.name}  version ${state.version}  updated ${state.updatedAt}`);
    for (const record of Object.values(state.resources)) {
      out.line(`  ${record.name.padEnd(24)} ${record.type.padEnd(36)} ${record.id}  [${record.server}]`);
      for (const [key, value] of Object.entries(record.outputs))
        out.line(`      ${key} = ${JSON.stringify(value)}`);
    }
    for (const operation of Object.values(state.pending))
      out.line(`  pending: ${operation.action} ${operation.name} since ${operation.startedAt}`);
    for (const snapshot of state.snapshots)
      out.line(`  snapshot ${snapshot.snapshotId} on ${snapshot.server} (${snapshot.createdAt})`);
  });
  return EXIT.ok;
}
