import { EXIT } from "../../agent/errors.ts";
import {
  ALLOW_DESTROY_FLAG,
  commandPolicies,
  FILE_FLAG,
  REFRESH_FLAGS,
  refreshFlag,
  requireFile,
  STREAM_FLAG,
  withWorkspace,
} from "./shared.ts";
import type { CommandDefinition } from "./types.ts";

export const planCommand: CommandDefinition = {
  name: "plan",
  usage: ["plan -f FILE [--refresh=false]"],
  summary: "show what applying the spec would change (reads what exists first)",
  flags: { ...FILE_FLAG, ...REFRESH_FLAGS, ...ALLOW_DESTROY_FLAG, ...STREAM_FLAG },
  exitCodes: {
    0: "planned",
    2: "bad usage, config or spec",
    3: "an apply of this plan would be blocked by a mandatory policy",
  },
  async run(context) {
    const { parsed, out } = context;
    const { loadSpecFile } = await import("../../agent/engine/spec.ts");
    const { planOnly } = await import("../../agent/operations.ts");
    const deployment = await loadSpecFile(requireFile(parsed));
    return withWorkspace(context, async (workspace) => {
      const policies = await commandPolicies(context, workspace);
      const { plan, blocked } = await planOnly(workspace, deployment, {
        policies,
        refresh: refreshFlag(parsed),
      });
      const exit = blocked ? EXIT.policy : EXIT.ok;
      out.result(
        {
          command: "plan",
          deployment: deployment.name,
          plan,
          ...(blocked ? { blocked } : {}),
          exitCode: exit,
        },
        () => {
          if (blocked)
            out.line(
              `An apply of this plan would be blocked by ${blocked.findings.length} mandatory policy finding(s).`,
            );
        },
      );
      return exit;
    });
  },
};
