import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { type AgentRoot, composeAgent } from "../agent/compose.ts";
import type { Plan } from "../agent/engine/plan-types.ts";
import type { Drift } from "../agent/engine/refresh.ts";
import type { Deployment } from "../agent/engine/spec.ts";
import type { EventSink } from "../agent/events.ts";
import type { LanguageModel } from "../agent/llm/types.ts";
import { applyDeployment, destroyDeployment, refreshDeployment } from "../agent/operations.ts";
import { type GoalReport, runGoal } from "../agent/run.ts";
import type { ServerEntry } from "../tools/client/index.ts";
import type { ListedResource } from "../tools/protocol/index.ts";
import type { MemorySeedSchema, WorldResourceSchema } from "./case-fields.ts";
import { SANDBOX_PREFIXES, type SandboxPrefix } from "./case-schema.ts";

const AGENT_BIN = fileURLToPath(new URL("../bin/agent.js", import.meta.url));

/** Variables of the user's shell that would make a mock misbehave or write outside the case folder. */
const MOCK_VARIABLES = [
  "MOCK_FAULTS",
  "MOCK_CRASH",
  "MOCK_CRASH_AFTER_CALLS",
  "MOCK_HANG",
  "MOCK_LATENCY_MS",
  "MOCK_LATENCY_BY_TYPE",
  "MOCK_SEED_FILE",
  "MOCK_ALL_TYPES",
];

export interface SandboxOptions {
  /** The case's own folder: state, memory and the mock worlds all live under it. */
  dir: string;
  env?: Partial<Record<SandboxPrefix, Record<string, string>>>;
  model: LanguageModel | undefined;
  modelDescription: string;
  emit: EventSink;
  /** The providers to start (default all four); fewer start faster. */
  providers?: readonly SandboxPrefix[];
  /** What exists on each platform before the first turn (written as MOCK_SEED_FILE). */
  world?: Partial<Record<SandboxPrefix, z.infer<typeof WorldResourceSchema>[]>>;
  /** Patterns remembered before the first turn. */
  memory?: z.infer<typeof MemorySeedSchema>[];
  /** Refuse a plan that deletes or replaces (the person said no); default approve everything. */
  approve?: "all" | "non-destructive";
  /** Prefixes served by the real built-in provider instead of the mock, with its environment (an emulator's). */
  real?: Partial<Record<SandboxPrefix, Record<string, string>>>;
}

/** Plans that asked for approval, and whether they got it. */
export interface ApprovalRecord {
  deployment: string;
  approved: boolean;
  destructive: number;
}

export interface Sandbox {
  applySetup(deployment: Deployment): Promise<void>;
  runGoal(goal: string): Promise<GoalReport>;
  destroy(name: string): Promise<{ outcome: string }>;
  refresh(name: string): Promise<Drift[]>;
  /** Changes (or deletes) a resource behind the agent's back, straight through its provider. */
  drift(deployment: string, resource: string, set: Record<string, unknown> | undefined): Promise<void>;
  /** Each resource of the deployment in state, as `type id`, and the same of what the providers list. */
  stateAndWorld(deployment: string): Promise<{ state: string[]; world: string[] }>;
  approvals: ApprovalRecord[];
  /** What the providers list, for one deployment or (with no name) for all. */
  world(deploymentId?: string): Promise<ListedResource[]>;
  close(): Promise<void>;
}

/** The mock under every prefix, its world (and seed) files in the case's folder, the shell's MOCK_ settings cleared. */
function mockServers(
  options: SandboxOptions,
  prefixes: readonly SandboxPrefix[],
): Record<string, ServerEntry> {
  const sandboxDir = join(options.dir, ".mcp-iac", "sandbox");
  mkdirSync(sandboxDir, { recursive: true });
  return Object.fromEntries(
    prefixes.map((prefix) => {
      const real = options.real?.[prefix];
      if (real) return [prefix, { builtin: prefix, env: { ...real, ...options.env?.[prefix] } }];
      const seeds = options.world?.[prefix];
      const seedFile = join(sandboxDir, `${prefix}.seed.json`);
      if (seeds) writeFileSync(seedFile, JSON.stringify(seeds));
      const env: Record<string, string> = {
        ...Object.fromEntries(MOCK_VARIABLES.map((name) => [name, ""])),
        MOCK_WORLD_FILE: join(sandboxDir, `${prefix}.world.json`),
        ...(seeds ? { MOCK_SEED_FILE: seedFile } : {}),
        ...options.env?.[prefix],
      };
      return [prefix, { builtin: "mock", env }];
    }),
  );
}

function destructiveCount(plan: Plan): number {
  return plan.changes.filter((change) => change.action === "delete" || change.action === "replace").length;
}

/** Approves as the case says, and records every plan it was asked about. */
function approver(options: SandboxOptions, approvals: ApprovalRecord[]) {
  return async (plan: Plan) => {
    const destructive = destructiveCount(plan);
    const approved = options.approve !== "non-destructive" || destructive === 0;
    approvals.push({ deployment: plan.deployment, approved, destructive });
    return approved;
  };
}

/** Opens the case's memory; the first time, with the case's remembered patterns. */
function memoryOpener(root: AgentRoot, seeds: SandboxOptions["memory"]) {
  let seeded = !seeds?.length;
  return async () => {
    const memory = root.openMemory();
    if (seeded) return memory;
    seeded = true;
    for (const seed of seeds ?? []) {
      await memory.savePattern({
        goal: seed.goal,
        deployment: seed.spec.name,
        spec: seed.spec as Parameters<typeof memory.savePattern>[0]["spec"],
        providers: seed.providers,
        outcome: "succeeded",
        planner: "offline",
      });
    }
    return memory;
  };
}

async function listWorld(root: AgentRoot, prefixes: readonly SandboxPrefix[], deploymentId?: string) {
  const all: ListedResource[] = [];
  for (const prefix of prefixes) {
    const envelope = await root.clients.call(prefix, "listResources", {
      filter: deploymentId ? { deploymentId } : {},
    });
    if (!envelope.success || !envelope.data) {
      throw new Error(`listResources on ${prefix} failed: ${envelope.error?.message ?? "no data"}`);
    }
    all.push(...envelope.data.resources);
  }
  return all;
}

/** Changes (or deletes) a resource behind the agent's back, straight through its provider. */
async function driftResource(
  root: AgentRoot,
  deployment: string,
  resource: string,
  set: Record<string, unknown> | undefined,
): Promise<void> {
  const record = (await root.state.read(deployment))?.resources[resource];
  if (!record) throw new Error(`drift: state holds no ${resource} in ${deployment}`);
  const envelope = set
    ? await root.clients.call(record.server, "applyDeployment", {
        deploymentId: deployment,
        changes: [
          {
            name: record.name,
            type: record.type,
            action: "update",
            id: record.id,
            before: record.properties,
            after: { ...record.properties, ...set },
            diff: [],
          },
        ],
      })
    : await root.clients.call(record.server, "destroyDeployment", {
        deploymentId: deployment,
        resources: [{ ...record, dependsOn: undefined }],
      });
  if (!envelope.success)
    throw new Error(`drift on ${resource} failed: ${envelope.error?.message ?? "no data"}`);
}

/** The servers start side by side rather than one after another as the run first asks each. */
function warmer(root: AgentRoot, prefixes: readonly SandboxPrefix[]): () => Promise<unknown> {
  let warmed: Promise<unknown> | undefined;
  return () => {
    warmed ??= Promise.all(prefixes.map((prefix) => root.clients.describe(prefix).catch(() => undefined)));
    return warmed;
  };
}

/**
 * The agent's services as `agent "<goal>"` builds them with no config (the sandbox profile: the
 * mock under every prefix, the baseline policies), from the same composition root, but rooted in a
 * case's own folder, so that no case sees another's world, memory or state, nor the user's.
 */
export function openSandbox(options: SandboxOptions): Sandbox {
  const prefixes = options.providers ?? SANDBOX_PREFIXES;
  const root = composeAgent({
    cwd: options.dir,
    loaded: {
      config: {
        mcpServers: mockServers(options, prefixes),
        policies: ["builtin:baseline"],
        state: { backend: "file" },
      },
      source: "sandbox",
      sandbox: true,
    },
    builtinCommand: { command: process.execPath, args: [AGENT_BIN] },
    model: { model: options.model, description: options.modelDescription },
  });
  const workspace = root.workspace(options.emit);
  const policies = root.policies();
  const approvals: ApprovalRecord[] = [];
  const warm = warmer(root, prefixes);
  const openMemory = memoryOpener(root, options.memory);
  const runGoalHere = async (goal: string) => {
    await warm();
    const memory = await openMemory();
    try {
      const services = root.services({ workspace, memory, policies: await policies });
      return await runGoal(services, { goal, approve: approver(options, approvals) });
    } finally {
      await memory.close();
    }
  };
  return {
    approvals,
    async applySetup(deployment) {
      await warm();
      const output = await applyDeployment(workspace, deployment, {
        command: "eval-setup",
        policies: await policies,
        approve: async () => true,
      });
      const outcome = output.report?.outcome ?? (output.blocked ? "blocked" : "not applied");
      if (outcome !== "succeeded" && outcome !== "nothing-to-do") {
        throw new Error(`the setup spec ${deployment.name} did not apply: ${outcome}`);
      }
    },
    runGoal: runGoalHere,
    async destroy(name) {
      await warm();
      const result = await destroyDeployment(workspace, name, {
        approve: async (plan) => {
          approvals.push({ deployment: name, approved: true, destructive: destructiveCount(plan) });
          return true;
        },
      });
      return { outcome: result.outcome };
    },
    async refresh(name) {
      await warm();
      return refreshDeployment(workspace, name);
    },
    async drift(deployment, resource, set) {
      await warm();
      await driftResource(root, deployment, resource, set);
    },
    async stateAndWorld(deployment) {
      const records = Object.values((await root.state.read(deployment))?.resources ?? {});
      const world = await listWorld(root, prefixes, deployment);
      return {
        state: records.map((record) => `${record.type} ${record.id}`).sort(),
        world: world.map((resource) => `${resource.type} ${resource.id}`).sort(),
      };
    },
    world: (deploymentId) => listWorld(root, prefixes, deploymentId),
    close: () => root.close(),
  };
}
