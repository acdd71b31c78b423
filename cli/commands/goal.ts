import type { GoalReport } from "../../agent/run.ts";
import { usageError } from "../args.ts";
import type { Paint } from "../style.ts";
import {
  ALLOW_DESTROY_FLAG,
  LOCK_FLAGS,
  lockOptions,
  PARALLELISM_FLAG,
  parallelismOption,
  STREAM_FLAG,
  withWorkspace,
} from "./shared.ts";
import type { CommandDefinition } from "./types.ts";

/** `agent "deploy a web app ..."`: a goal is anything that is not a command. */
export const goalCommand: CommandDefinition = {
  name: "goal",
  usage: ['"<goal>" [--yes] [--dry-run] [--name NAME]'],
  summary: "plan from plain language, check policies, ask, apply, recover",
  flags: {
    "dry-run": { type: "boolean", help: "stop after the plan and its policy results" },
    name: {
      type: "string",
      value: "NAME",
      help: "the deployment's name, whatever the planner would call it",
    },
    ...PARALLELISM_FLAG,
    ...LOCK_FLAGS,
    ...ALLOW_DESTROY_FLAG,
    ...STREAM_FLAG,
  },
  exitCodes: {
    0: "done, nothing to do, or a dry run",
    1: "the run failed (rolled back or not), or planning failed",
    2: "bad usage or config",
    3: "blocked by a mandatory policy",
    4: "not approved",
  },
  async run(context) {
    const { parsed, out } = context;
    const goal = parsed.command.join(" ");
    if (!/\s/.test(goal))
      throw usageError(`unknown command "${parsed.command[0]}"; a goal in plain language goes in quotes`);
    const { goalCommand: runGoalCommand } = await import("../goal.ts");
    const { painter } = await import("../style.ts");
    return withWorkspace(context, async (workspace) => {
      const name = parsed.flags["name"];
      const report = await runGoalCommand({
        goal,
        global: parsed.global,
        workspace,
        dryRun: Boolean(parsed.flags["dry-run"]),
        allowDestroy: Boolean(parsed.flags["allow-destroy"]),
        ...(typeof name === "string" ? { deploymentName: name } : {}),
        ...parallelismOption(parsed),
        ...lockOptions(parsed),
      });
      const asked = !parsed.global.json && !parsed.global.yes;
      out.result({ command: "goal", ...report }, () =>
        out.line(outcomeLine(report, painter(context.io.stdout), asked)),
      );
      return report.exitCode;
    });
  },
};

function outcomeLine(report: GoalReport, paint: Paint, asked: boolean): string {
  const tokens =
    report.modelCalls.length > 0
      ? ` Model: ${report.modelCalls.length} call(s), ${report.tokens.input} tokens in (${report.tokens.cached} cached), ${report.tokens.output} out.`
      : "";
  const reason = report.reason ?? "";
  const line = {
    succeeded: paint("green", "Done."),
    "nothing-to-do": paint("green", "Nothing to do: everything already matches."),
    planned: "Dry run: nothing was applied.",
    declined: paint("red", `Not planned: ${reason}`),
    "planner-failed": paint("red", `Planning failed: ${reason}`),
    blocked: paint("red", `Blocked: ${reason}`),
    "not-approved": asked ? "Apply cancelled: not approved." : "Not approved.",
    failed: paint("red", `Failed${report.reason ? `: ${report.reason}` : ""}. State records what exists.`),
    "rolled-back": paint("yellow", `Failed and rolled back${report.reason ? `: ${report.reason}` : ""}.`),
    cancelled: paint("yellow", `Cancelled${report.reason ? `: ${report.reason}` : ""}.`),
  }[report.outcome];
  return `${line}${tokens}`;
}
