import type { Plan } from "../../agent/engine/plan-types.ts";
import { type EventSink, ignoreEvents } from "../../agent/events.ts";
import { selectModel } from "../../agent/llm/select.ts";
import { type GoalReport, runGoal } from "../../agent/run.ts";
import { SecretScrubber, secretsFromConfig } from "../../agent/secrets.ts";
import type { DeploymentSummary } from "../../agent/state/index.ts";
import type { Pattern } from "../../memory/index.ts";
import type { GlobalFlags } from "../args.ts";
import { memoryFor, policiesFor } from "../goal.ts";
import { openWorkspace } from "../workspace.ts";

/** What the TUI needs from the agent: a run, and what state and memory hold. No Ink here. */
export interface TuiSession {
  /** Where the session works: the sandbox (mock providers, nothing real) or a config file. */
  where: { sandbox: boolean; source: string; servers: string[] };
  /** Which planner or model serves; the same words as the run's `planner.selected` event. */
  planner: string;
  /** Where state lives ("file …/.mcp-iac/state"). */
  stateStore: string;
  /** `--yes`: approve every plan without asking. */
  autoApprove: boolean;
  runGoal(
    goal: string,
    hooks: { approve(plan: Plan): Promise<boolean>; onEvent: EventSink },
  ): Promise<GoalReport>;
  listDeployments(): Promise<DeploymentSummary[]>;
  listPatterns(): Promise<Pattern[]>;
  memoryStore: string;
  close(): Promise<void>;
}

/**
 * Builds the services the one-shot `agent "<goal>"` builds (cli/goal.ts), once for the session:
 * the configured servers, policies, memory, model and secret scrubber.
 */
export async function openSession(options: {
  global: GlobalFlags;
  env?: NodeJS.ProcessEnv;
}): Promise<TuiSession> {
  const { global } = options;
  const env = options.env ?? process.env;
  // The header says plainly when the sandbox serves, so the workspace's notice is not needed.
  const workspace = openWorkspace(global, ignoreEvents);
  const memory = memoryFor(global.cwd);
  try {
    const servers = workspace.loaded.config.mcpServers as Record<
      string,
      { env?: Record<string, string>; headers?: Record<string, string> }
    >;
    const scrubber = new SecretScrubber();
    secretsFromConfig(servers, env, scrubber);
    const selected = selectModel(
      workspace.loaded.config.model,
      env,
      global.model ? { model: global.model } : {},
    );
    const policies = await policiesFor(workspace.loaded, global.cwd);
    const names = Object.keys(servers);
    return {
      where: { sandbox: workspace.loaded.sandbox, source: workspace.loaded.source, servers: names },
      planner: selected.description,
      stateStore: workspace.state.describe(),
      autoApprove: global.yes,
      memoryStore: memory.describe(),
      runGoal: (goal, hooks) =>
        runGoal(
          {
            workspace: { gateway: workspace.gateway, state: workspace.state, emit: hooks.onEvent },
            servers: names,
            policies,
            memory,
            model: selected.model,
            modelDescription: selected.description,
            scrubber,
          },
          {
            goal,
            approve: hooks.approve,
            ...(Object.keys(workspace.perServer).length > 0 ? { perServer: workspace.perServer } : {}),
          },
        ),
      listDeployments: () => workspace.state.list(),
      listPatterns: () => memory.listPatterns(),
      close: async () => {
        await memory.close();
        await workspace.close();
      },
    };
  } catch (error) {
    await memory.close();
    await workspace.close();
    throw error;
  }
}
