import { type AgentRoot, composeAgent } from "../../agent/compose.ts";
import type { Plan } from "../../agent/engine/plan-types.ts";
import type { EventSink } from "../../agent/events.ts";
import { destroyDeployment } from "../../agent/operations.ts";
import { type GoalReport, runGoal } from "../../agent/run.ts";
import type { DeploymentState, DeploymentSummary } from "../../agent/state/index.ts";
import type { MemoryStore, Pattern } from "../../memory/index.ts";
import type { PolicySet } from "../../policies/index.ts";
import type { GlobalFlags } from "../args.ts";
import { BUILTIN_PROVIDERS } from "../builtin-providers.ts";
import { selfCommand } from "../workspace.ts";

/** What a run asks of the screen: approval, a place for its events, and (for a goal) a way to stop it. */
export interface RunHooks {
  approve(plan: Plan): Promise<boolean>;
  onEvent: EventSink;
  /** Ctrl-C: the run starts nothing new, lets what is in flight finish, and ends "cancelled". */
  signal?: AbortSignal;
}

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
  runGoal(goal: string, hooks: RunHooks): Promise<GoalReport>;
  listDeployments(): Promise<DeploymentSummary[]>;
  /** One deployment from state, or undefined. */
  showDeployment(name: string): Promise<DeploymentState | undefined>;
  listPatterns(): Promise<Pattern[]>;
  /** Forgets remembered patterns by id or id prefix; how many went. */
  forgetPattern(idOrPrefix: string): Promise<number>;
  /** Each configured server with its types, or why it does not answer. */
  describeProviders(): Promise<{ name: string; types?: string[]; problem?: string }[]>;
  /** Destroys a deployment: its plan of deletions is approved like a goal's plan. */
  destroy(name: string, hooks: RunHooks): Promise<{ outcome: string; reason?: string; destroyed: number }>;
  /**
   * The chat's --allow-destroy: the next run (a goal or /destroy) may delete or replace stateful
   * resources; it is used once, then the baseline rule holds again.
   */
  allowDestroyOnce(): void;
  memoryStore: string;
  close(): Promise<void>;
}

/** The policies for one run; an allowance (/allow-destroy) is spent by the run that uses it. */
async function policyChooser(root: AgentRoot) {
  const policies = await root.policies();
  const permissive = await root.policies({ allowDestroy: true });
  let allowDestroy = false;
  return {
    next: (): PolicySet => {
      const chosen = allowDestroy ? permissive : policies;
      allowDestroy = false;
      return chosen;
    },
    allowOnce: () => {
      allowDestroy = true;
    },
  };
}

async function describeProviders(root: AgentRoot) {
  return Promise.all(
    root.servers.map(async (name) => {
      try {
        const described = await root.clients.describe(name);
        return { name, types: described.types.map((info) => info.type) };
      } catch (error) {
        return { name, problem: error instanceof Error ? error.message.split("\n")[0] : String(error) };
      }
    }),
  );
}

async function destroyFromChat(root: AgentRoot, policies: PolicySet, name: string, hooks: RunHooks) {
  const result = await destroyDeployment(root.workspace(hooks.onEvent), name, {
    policies,
    approve: hooks.approve,
  });
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
}

function sessionOver(
  root: AgentRoot,
  memory: MemoryStore,
  chooser: Awaited<ReturnType<typeof policyChooser>>,
  global: GlobalFlags,
): TuiSession {
  const selected = root.model();
  return {
    where: { sandbox: root.loaded.sandbox, source: root.loaded.source, servers: root.servers },
    planner: selected.description,
    stateStore: root.state.describe(),
    autoApprove: global.yes,
    memoryStore: memory.describe(),
    runGoal: (goal, hooks) =>
      runGoal(root.services({ workspace: root.workspace(hooks.onEvent), memory, policies: chooser.next() }), {
        goal,
        approve: hooks.approve,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        ...(Object.keys(root.perServer).length > 0 ? { perServer: root.perServer } : {}),
      }),
    listDeployments: () => root.state.list(),
    showDeployment: async (name) => (await root.state.read(name)) ?? undefined,
    listPatterns: () => memory.listPatterns(),
    forgetPattern: (idOrPrefix) => memory.forget(idOrPrefix),
    describeProviders: () => describeProviders(root),
    destroy: (name, hooks) => destroyFromChat(root, chooser.next(), name, hooks),
    allowDestroyOnce: chooser.allowOnce,
    close: async () => {
      await memory.close();
      await root.close();
    },
  };
}

/**
 * The services the one-shot `agent "<goal>"` uses, from the same composition root, opened once for
 * the session: the configured servers, policies, memory, model and secret scrubber.
 */
export async function openSession(options: {
  global: GlobalFlags;
  env?: NodeJS.ProcessEnv;
}): Promise<TuiSession> {
  const { global } = options;
  // The header says plainly when the sandbox serves, so the workspace's notice is not needed.
  const root = composeAgent({
    cwd: global.cwd,
    configFile: global.config,
    builtins: Object.keys(BUILTIN_PROVIDERS),
    builtinCommand: selfCommand(),
    modelName: global.model,
    env: options.env ?? process.env,
  });
  const memory = root.openMemory();
  try {
    return sessionOver(root, memory, await policyChooser(root), global);
  } catch (error) {
    await memory.close();
    await root.close();
    throw error;
  }
}
