import type { Plan } from "../../agent/engine/plan-types.ts";
import { EXIT, IacError } from "../../agent/errors.ts";
import type { ApplyOutput } from "../../agent/operations.ts";
import type { ParsedCommand } from "../args.ts";
import {
  ALLOW_DESTROY_FLAG,
  commandPolicies,
  FILE_FLAG,
  LOCK_FLAGS,
  lockOptions,
  PARALLELISM_FLAG,
  parallelismOption,
  REFRESH_FLAGS,
  refreshFlag,
  requireFile,
  STREAM_FLAG,
  withWorkspace,
} from "./shared.ts";
import type { CommandContext, CommandDefinition, Output } from "./types.ts";

export const applyCommand: CommandDefinition = {
  name: "apply",
  usage: ["apply -f FILE [--yes] [--dry-run]"],
  summary: "plan, ask, apply (rolls back on failure unless --no-rollback)",
  flags: {
    ...FILE_FLAG,
    "dry-run": { type: "boolean", help: "stop after the plan" },
    "no-rollback": { type: "boolean", help: "on failure, keep what was done instead of rolling back" },
    ...REFRESH_FLAGS,
    ...PARALLELISM_FLAG,
    ...LOCK_FLAGS,
    ...ALLOW_DESTROY_FLAG,
    ...STREAM_FLAG,
  },
  exitCodes: {
    0: "applied, nothing to do, or a dry run",
    1: "the apply failed (rolled back or not)",
    2: "bad usage, config or spec",
    3: "blocked by a mandatory policy",
    4: "not approved",
  },
  async run(context) {
    const { parsed, out } = context;
    const { loadSpecFile } = await import("../../agent/engine/spec.ts");
    const { applyDeployment } = await import("../../agent/operations.ts");
    const deployment = await loadSpecFile(requireFile(parsed));
    return withWorkspace(context, async (workspace) => {
      const output = await applyDeployment(workspace, deployment, {
        ...lockOptions(parsed),
        command: "apply",
        policies: await commandPolicies(context, workspace),
        approve: (plan) => approveApply(plan, context),
        ...(parsed.flags["dry-run"] ? { dryRun: true } : {}),
        ...(parsed.flags["no-rollback"] ? { rollback: false } : {}),
        refresh: refreshFlag(parsed),
        ...parallelismOption(parsed),
        ...(Object.keys(workspace.perServer).length > 0 ? { perServer: workspace.perServer } : {}),
      });
      const exit = applyExit(output, parsed);
      out.result(
        {
          command: "apply",
          deployment: deployment.name,
          runId: output.runId,
          approved: output.approved,
          plan: output.plan ?? null,
          report: output.report ?? null,
          ...(output.blocked ? { blocked: output.blocked } : {}),
          exitCode: exit,
        },
        () => sayApplied(output, parsed, out),
      );
      return exit;
    });
  },
};

async function approveApply(plan: Plan, context: CommandContext): Promise<boolean> {
  const { global } = context.parsed;
  if (global.json && !global.yes) {
    throw new IacError("NOT_APPROVED", "--json runs cannot ask for approval", {
      exitCode: 4,
      hint: "add --yes",
    });
  }
  const { askYes } = await import("../approve.ts");
  const { summaryLine } = await import("../render-plan.ts");
  const { painter } = await import("../style.ts");
  return askYes(
    `Do you want to apply these changes to ${plan.deployment}? ${summaryLine(plan, painter(context.io.stdout))}`,
    global.yes,
    context.io,
  );
}

function applyExit(output: ApplyOutput, parsed: ParsedCommand): number {
  if (output.blocked) return EXIT.policy;
  if (parsed.flags["dry-run"]) return EXIT.ok;
  if (!output.approved) return EXIT.notApproved;
  const outcome = output.report?.outcome;
  return !output.report || outcome === "succeeded" || outcome === "nothing-to-do" ? EXIT.ok : EXIT.failed;
}

function sayApplied(output: ApplyOutput, parsed: ParsedCommand, out: Output): void {
  if (output.blocked) {
    out.line(
      `Apply blocked by ${output.blocked.findings.length} mandatory policy finding(s); nothing was changed.`,
    );
    if (output.blocked.findings.some((finding) => finding.policy === "baseline/stateful-change-approval"))
      out.line("To delete or replace stateful resources, approve it explicitly with --allow-destroy.");
  } else if (!output.approved && !parsed.flags["dry-run"]) out.line("Apply cancelled: not approved.");
  if (output.report?.outcome === "nothing-to-do") out.line("Nothing to do.");
}
