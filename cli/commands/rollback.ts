import { EXIT } from "../../agent/errors.ts";
import type { RollbackOutcome } from "../../agent/operations.ts";
import {
  ALLOW_DESTROY_FLAG,
  approveOrRefuse,
  LOCK_FLAGS,
  lockOptions,
  requireName,
  STREAM_FLAG,
  withWorkspace,
} from "./shared.ts";
import type { CommandDefinition, Output } from "./types.ts";

export const rollbackCommand: CommandDefinition = {
  name: "rollback",
  usage: ["rollback NAME [--snapshot ID] [--yes]"],
  summary: "show, ask, restore the provider snapshots of the last run",
  flags: {
    snapshot: { type: "string", value: "ID", help: "restore this snapshot instead of the last run's" },
    ...LOCK_FLAGS,
    ...ALLOW_DESTROY_FLAG,
    ...STREAM_FLAG,
  },
  exitCodes: {
    0: "rolled back",
    1: "the rollback failed",
    2: "bad usage or config, no such deployment or snapshot",
    3: "blocked: it restores stateful resources without --allow-destroy",
    4: "not approved",
  },
  async run(context) {
    const { parsed, out } = context;
    const { rollbackDeployment } = await import("../../agent/operations.ts");
    const name = requireName(parsed);
    return withWorkspace(context, async (workspace) => {
      const snapshot = parsed.flags["snapshot"];
      const outcome = await rollbackDeployment(workspace, name, {
        ...lockOptions(parsed),
        ...(typeof snapshot === "string" ? { snapshotId: snapshot } : {}),
        allowDestroy: Boolean(parsed.flags["allow-destroy"]),
        approve: (preview) =>
          approveOrRefuse(
            `Roll back ${preview.resources.length} resource(s) of ${name} to the snapshot?`,
            context,
          ),
      });
      const exit = outcome.approved
        ? EXIT.ok
        : "blocked" in outcome && outcome.blocked
          ? EXIT.policy
          : EXIT.notApproved;
      out.result({ command: "rollback", deployment: name, ...outcome, exitCode: exit }, () =>
        sayRolledBack(outcome, out),
      );
      return exit;
    });
  },
};

function sayRolledBack(outcome: RollbackOutcome, out: Output): void {
  if (!outcome.approved) {
    out.line(
      outcome.blocked
        ? `Rollback blocked: it restores stateful resources (${outcome.blocked.findings.map((f) => f.resource).join(", ")}); approve it explicitly with --allow-destroy.`
        : "Rollback cancelled: not approved.",
    );
    return;
  }
  for (const entry of outcome.restored) {
    out.line(
      `${entry.server}: restored snapshot ${entry.snapshotId} (${entry.restored.length} restored, ${entry.deleted.length} deleted)`,
    );
  }
}
