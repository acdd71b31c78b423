import { memoryFileFor } from "../agent/compose.ts";
import type { GoalReport } from "../agent/run.ts";
import { createMemoryStore, type MemoryStore } from "../memory/index.ts";
import { askYes } from "./approve.ts";
import type { GlobalFlags } from "./args.ts";
import { summaryLine } from "./render-plan.ts";
import { painter } from "./style.ts";
import type { OpenedWorkspace } from "./workspace.ts";

// Kept here for the commands that import them; the composition root (agent/compose.ts) owns them.
export { policiesFor } from "../agent/compose.ts";

export function memoryFor(cwd: string): MemoryStore {
  return createMemoryStore({ file: memoryFileFor(cwd) });
}

export interface GoalCommandOptions {
  goal: string;
  global: GlobalFlags;
  workspace: OpenedWorkspace;
  dryRun: boolean;
  allowDestroy: boolean;
  /** --name: the deployment's name, whatever the planner would call it. */
  deploymentName?: string;
  parallelism?: number;
  forceUnlock?: boolean;
  lockWaitMs?: number;
}

/** `agent "<goal>"`: the run's services from the workspace's composition root, then the run. */
export async function goalCommand(options: GoalCommandOptions): Promise<GoalReport> {
  const { workspace, global } = options;
  const { root } = workspace;
  // The planner, recovery and engine load here, not when `plan` or `apply` only need policiesFor.
  const { runGoal } = await import("../agent/run.ts");
  const memory = root.openMemory();
  const paint = painter(process.stdout);
  try {
    // The workspace's own sink: the same scrubbed, numbered stream the command prints.
    const services = root.services({
      workspace,
      memory,
      policies: await root.policies({ allowDestroy: options.allowDestroy }),
    });
    return await runGoal(services, {
      goal: options.goal,
      approve: async (plan) => {
        if (global.json && !global.yes) return false;
        return askYes(
          `Do you want to apply these changes to ${plan.deployment}? ${summaryLine(plan, paint)}`,
          global.yes,
        );
      },
      dryRun: options.dryRun,
      yes: global.yes,
      ...(options.deploymentName ? { deploymentName: options.deploymentName } : {}),
      ...(options.parallelism ? { parallelism: options.parallelism } : {}),
      ...(Object.keys(workspace.perServer).length > 0 ? { perServer: workspace.perServer } : {}),
      ...(options.forceUnlock ? { forceUnlock: true } : {}),
      ...(options.lockWaitMs ? { lockWaitMs: options.lockWaitMs } : {}),
    });
  } finally {
    await memory.close();
  }
}
