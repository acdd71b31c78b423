import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Deployment } from "../agent/engine/spec.ts";
import type { EventSink } from "../agent/events.ts";
import type { LanguageModel } from "../agent/llm/types.ts";
import { applyDeployment, type Workspace } from "../agent/operations.ts";
import { type GoalReport, runGoal } from "../agent/run.ts";
import { SecretScrubber, secretsFromConfig } from "../agent/secrets.ts";
import { createFileBackend } from "../agent/state/index.ts";
import { createMemoryStore } from "../memory/index.ts";
import { loadPolicies } from "../policies/index.ts";
import { ProviderClients } from "../tools/client/index.ts";
import type { ListedResource } from "../tools/protocol/index.ts";
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
}

export interface Sandbox {
  applySetup(deployment: Deployment): Promise<void>;
  runGoal(goal: string): Promise<GoalReport>;
  /** What the providers list, for one deployment or (with no name) for all. */
  world(deploymentId?: string): Promise<ListedResource[]>;
  close(): Promise<void>;
}

/**
 * The agent's services as `agent "<goal>"` builds them with no config (the sandbox profile: the
 * mock under every prefix, the baseline policies), but rooted in a case's own folder, so that no
 * case sees another's world, memory or state, nor the user's.
 */
export function openSandbox(options: SandboxOptions): Sandbox {
  const { dir } = options;
  const servers = Object.fromEntries(
    SANDBOX_PREFIXES.map((prefix) => [
      prefix,
      {
        builtin: "mock",
        env: {
          ...Object.fromEntries(MOCK_VARIABLES.map((name) => [name, ""])),
          MOCK_WORLD_FILE: join(dir, ".mcp-iac", "sandbox", `${prefix}.world.json`),
          ...options.env?.[prefix],
        },
      },
    ]),
  );
  const clients = new ProviderClients(servers, {
    cwd: dir,
    builtinCommand: { command: process.execPath, args: [AGENT_BIN] },
  });
  const workspace: Workspace = {
    gateway: clients,
    state: createFileBackend(join(dir, ".mcp-iac")),
    emit: options.emit,
  };
  const policies = loadPolicies(["builtin:baseline"], { cwd: dir });
  // The servers start side by side rather than one after another as the run first asks each.
  let warmed: Promise<unknown> | undefined;
  const warm = () => {
    warmed ??= Promise.all(SANDBOX_PREFIXES.map((prefix) => clients.describe(prefix).catch(() => undefined)));
    return warmed;
  };

  return {
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
    async runGoal(goal) {
      await warm();
      const scrubber = new SecretScrubber();
      secretsFromConfig(servers, process.env, scrubber);
      const memory = createMemoryStore({ file: join(dir, ".mcp-iac", "memory.json") });
      try {
        return await runGoal(
          {
            workspace,
            servers: Object.keys(servers),
            policies: await policies,
            memory,
            model: options.model,
            modelDescription: options.modelDescription,
            scrubber,
          },
          { goal, approve: async () => true },
        );
      } finally {
        await memory.close();
      }
    },
    async world(deploymentId) {
      const all: ListedResource[] = [];
      for (const prefix of SANDBOX_PREFIXES) {
        const envelope = await clients.call(prefix, "listResources", {
          filter: deploymentId ? { deploymentId } : {},
        });
        if (!envelope.success || !envelope.data) {
          throw new Error(`listResources on ${prefix} failed: ${envelope.error?.message ?? "no data"}`);
        }
        all.push(...envelope.data.resources);
      }
      return all;
    },
    close: () => clients.close(),
  };
}
