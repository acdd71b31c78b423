import { join, resolve } from "node:path";
import { selectModel } from "../agent/llm/select.ts";
import type { GoalReport } from "../agent/run.ts";
import { SecretScrubber, secretsFromConfig } from "../agent/secrets.ts";
import { createMemoryStore, type MemoryStore } from "../memory/index.ts";
import { type Enforcement, loadPolicies, type PolicySet } from "../policies/index.ts";
import type { LoadedConfig } from "../tools/client/index.ts";
import { askYes } from "./approve.ts";
import type { GlobalFlags } from "./args.ts";
import { summaryLine } from "./render-plan.ts";
import { painter } from "./style.ts";
import type { OpenedWorkspace } from "./workspace.ts";

export function memoryFor(cwd: string): MemoryStore {
  return createMemoryStore({ file: join(resolve(cwd), ".mcp-iac", "memory.json") });
}

/** The policies of a run: the config's sources (baseline by default) and its per-rule overrides. */
export async function policiesFor(
  loaded: LoadedConfig,
  cwd: string,
  options: { allowDestroy?: boolean } = {},
): Promise<PolicySet> {
  const overrides: Record<string, Enforcement> = { ...(loaded.config.policyEnforcement ?? {}) };
  // --allow-destroy is the explicit approval the baseline asks for before a stateful delete.
  if (options.allowDestroy) overrides["baseline/stateful-change-approval"] = "advisory";
  return loadPolicies(loaded.config.policies ?? ["builtin:baseline"], { cwd: resolve(cwd), overrides });
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

/** `agent "<goal>"`: builds the run's services from the config and environment, then runs it. */
export async function goalCommand(options: GoalCommandOptions): Promise<GoalReport> {
  const { workspace, global } = options;
  // The planner, recovery and engine load here, not when `plan` or `apply` only need policiesFor.
  const { runGoal } = await import("../agent/run.ts");
  const scrubber = new SecretScrubber();
  secretsFromConfig(
    workspace.loaded.config.mcpServers as Record<
      string,
      { env?: Record<string, string>; headers?: Record<string, string> }
    >,
    process.env,
    scrubber,
  );
  const selected = selectModel(
    workspace.loaded.config.model,
    process.env,
    global.model ? { model: global.model } : {},
  );
  const memory = memoryFor(global.cwd);
  const paint = painter(process.stdout);
  try {
    return await runGoal(
      {
        workspace,
        servers: Object.keys(workspace.loaded.config.mcpServers),
        policies: await policiesFor(workspace.loaded, global.cwd, { allowDestroy: options.allowDestroy }),
        memory,
        model: selected.model,
        modelDescription: selected.description,
        scrubber,
      },
      {
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
      },
    );
  } finally {
    await memory.close();
  }
}
