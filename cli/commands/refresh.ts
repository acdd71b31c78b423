import type { Orphan, OrphanAction } from "../../agent/engine/orphans.ts";
import { EXIT } from "../../agent/errors.ts";
import { usageError } from "../args.ts";
import { LOCK_FLAGS, lockOptions, requireName, STREAM_FLAG, withWorkspace } from "./shared.ts";
import type { CommandContext, CommandDefinition } from "./types.ts";

export const refreshCommand: CommandDefinition = {
  name: "refresh",
  usage: ["refresh NAME", "  [--adopt-orphans | --delete-orphans]"],
  summary: "compare state with reality, report drift, update state",
  notes: [
    "Orphans are resources providers list for the deployment that state does not hold.",
    "On a terminal, with neither orphan flag, refresh asks what to do with them.",
  ],
  flags: {
    "adopt-orphans": { type: "boolean", help: "take orphans into state" },
    "delete-orphans": { type: "boolean", help: "delete orphans" },
    ...LOCK_FLAGS,
    ...STREAM_FLAG,
  },
  exitCodes: {
    0: "refreshed (drift and orphans are reported, not failures)",
    2: "bad usage or config, or no such deployment",
  },
  async run(context) {
    const { parsed, out } = context;
    const { refreshDeployment } = await import("../../agent/operations.ts");
    const name = requireName(parsed);
    const action = orphanFlag(context);
    return withWorkspace(context, async (workspace) => {
      const refresh = (orphans: OrphanAction) =>
        refreshDeployment(workspace, name, { ...lockOptions(parsed), orphans });
      const drift = await refresh(action);
      let orphans = drift.orphans ?? [];
      const choice =
        open(orphans).length > 0 && action === "report" ? await askOrphans(context, name) : "leave";
      // The answer settles the orphans the first pass reported; drift is already in state.
      if (choice !== "leave") orphans = (await refresh(choice)).orphans ?? [];
      out.result({ command: "refresh", deployment: name, drift: [...drift], orphans }, () => {
        out.line(
          drift.length === 0
            ? `No drift: ${name} matches what its providers report.`
            : `${drift.length} resource(s) drifted; state now records what exists.`,
        );
        const left = open(orphans);
        if (left.length === 0) return;
        out.line(`${left.length} orphan(s): providers list them for ${name}, state does not hold them.`);
        if (action === "report" && !interactive(context))
          out.line(`To settle them, run again with --adopt-orphans (take into state) or --delete-orphans.`);
      });
      return EXIT.ok;
    });
  },
};

function orphanFlag(context: CommandContext): OrphanAction {
  const { flags } = context.parsed;
  if (flags["adopt-orphans"] && flags["delete-orphans"])
    throw usageError("--adopt-orphans and --delete-orphans exclude each other");
  return flags["adopt-orphans"] ? "adopt" : flags["delete-orphans"] ? "delete" : "report";
}

function open(orphans: readonly Orphan[]): Orphan[] {
  return orphans.filter((orphan) => orphan.outcome === "reported" || orphan.outcome === "failed");
}

/** A person at a terminal can be asked; JSON output and pipes get the flags named instead. */
function interactive(context: CommandContext): boolean {
  return Boolean(context.io.stdin.isTTY) && context.out.mode === "human";
}

async function askOrphans(context: CommandContext, name: string): Promise<OrphanAction | "leave"> {
  if (!interactive(context)) return "leave";
  const { askChoice } = await import("../approve.ts");
  const answer = await askChoice(
    `Providers list resources for ${name} that state does not hold. Adopt them into state, delete them, or leave them?`,
    ["adopt", "delete", "leave"],
    context.io,
  );
  return answer;
}
