import { EXIT } from "../../agent/errors.ts";
import {
  ALLOW_DESTROY_FLAG,
  approveOrRefuse,
  commandPolicies,
  LOCK_FLAGS,
  lockOptions,
  PARALLELISM_FLAG,
  parallelismOption,
  requireName,
  STREAM_FLAG,
  withWorkspace,
} from "./shared.ts";
import type { CommandDefinition, Output } from "./types.ts";

type DestroyResult = Awaited<ReturnType<typeof import("../../agent/operations.ts").destroyDeployment>>;

export const destroyCommand: CommandDefinition = {
  name: "destroy",
  usage: ["destroy NAME [--yes]"],
  summary: "show, ask, delete everything a deployment holds, in reverse order",
  flags: { ...PARALLELISM_FLAG, ...LOCK_FLAGS, ...ALLOW_DESTROY_FLAG, ...STREAM_FLAG },
  exitCodes: {
    0: "destroyed, or nothing to destroy",
    1: "a deletion failed; state records what remains",
    2: "bad usage or config, or no such deployment",
    3: "blocked by a mandatory policy (a stateful resource without --allow-destroy)",
    4: "not approved",
  },
  async run(context) {
    const { parsed, out } = context;
    const { destroyDeployment } = await import("../../agent/operations.ts");
    const name = requireName(parsed);
    return withWorkspace(context, async (workspace) => {
      const result = await destroyDeployment(workspace, name, {
        ...lockOptions(parsed),
        ...parallelismOption(parsed),
        policies: await commandPolicies(context, workspace),
        approve: (plan) =>
          approveOrRefuse(
            `Destroy all ${plan.changes.length} resource(s) of ${name}? There is no undo.`,
            context,
          ),
      });
      const exit =
        result.outcome === "blocked"
          ? EXIT.policy
          : !result.approved
            ? EXIT.notApproved
            : result.outcome === "failed"
              ? EXIT.failed
              : EXIT.ok;
      out.result({ command: "destroy", deployment: name, ...result, exitCode: exit }, () =>
        sayDestroyed(result, name, out),
      );
      return exit;
    });
  },
};

function sayDestroyed(result: DestroyResult, name: string, out: Output): void {
  if ("blocked" in result && result.blocked) {
    out.line(
      `Destroy blocked by ${result.blocked.findings.length} mandatory policy finding(s); nothing was deleted.`,
    );
    out.line("To delete stateful resources, approve it explicitly with --allow-destroy.");
  } else if (!result.approved) out.line("Destroy cancelled: not approved.");
  else if (result.outcome === "nothing-to-do") out.line(`Deployment ${name} holds no resources.`);
  else if (result.outcome === "succeeded")
    out.line(`Destroy complete! ${result.results.length} resource(s) destroyed.`);
}
