import type { Plan } from "../../agent/engine/plan-types.ts";
import { type EventSink, ignoreEvents } from "../../agent/events.ts";
import { selectModel } from "../../agent/llm/select.ts";
import { destroyDeployment } from "../../agent/operations.ts";
import { type GoalReport, runGoal } from "../../agent/run.ts";
import { SecretScrubber, secretsFromConfig } from "../../agent/secrets.ts";
import type { DeploymentState, DeploymentSummary } from "../../agent/state/index.ts";
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
  /** One deployment from state, or undefined. */
  showDeployment(name: string): Promise<DeploymentState | undefined>;
  listPatterns(): Promise<Pattern[]>;
  /** Forgets remembered patterns by id or id prefix; how many went. */
  forgetPattern(idOrPrefix: string): Promise<number>;
  /** Each configured server with its types, or why it does not answer. */
  describeProviders(): Promise<{ name: string; types?: string[]; problem?: string }[]>;
  /** Destroys a deployment: its plan of deletions is approved like a goal's plan. */
  destroy(
    name: string,
    hooks: { approve(plan: Plan): Promise<boolean>; onEvent: EventSink },
  ): Promise<{ outcome: string; reason?: string; destroyed: number }>;
  /**
   * The chat's --allow-destroy: the next run (a goal or /destroy) may delete or replace stateful
   * resources; it is used once, then the baseline rule holds again.
   */
  allowDestroyOnce(): void;
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
    const permissive = await policiesFor(workspace.loaded, global.cwd, { allowDestroy: true });
    let allowDestroy = false;
    /** The policies for one run; an allowance is spent by the run that uses it. */
    const policiesForRun = () => {
      const chosen = allowDestroy ? permissive : policies;
      allowDestroy = false;
      return chosen;
    };
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
            policies: policiesForRun(),
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
      showDeployment: async (name) => (await workspace.state.read(name)) ?? undefined,
      listPatterns: () => memory.listPatterns(),
      forgetPattern: (idOrPrefix) => memory.forget(idOrPrefix),
      describeProviders: async () =>
        Promise.all(
          names.map(async (name) => {
            try {
              const described = await workspace.gateway.describe(name);
              return { name, types: described.types.map((info) => info.type) };
            } catch (error) {
              return { name, problem: error instanceof Error ? error.message.split("\n")[0] : String(error) };
            }
          }),
        ),
      destroy: async (name, hooks) => {
        const result = await destroyDeployment(
          { gateway: workspace.gateway, state: workspace.state, emit: hooks.onEvent },
          name,
          { policies: policiesForRun(), approve: hooks.approve },
        );
        const blocked = "blocked" in result && result.blocked;
        return {
          outcome: result.outcome,
          ...(blocked
            ? {
                reason: `${blocked.findings.map((finding) => finding.message).join("; ")}. Type /allow-destroy, then /destroy ${name} again.`,
              }
            : {}),
          destroyed: result.results.filter((entry) => entry.status === "succeeded").length,
        };
      },
      allowDestroyOnce: () => {
        allowDestroy = true;
      },
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
