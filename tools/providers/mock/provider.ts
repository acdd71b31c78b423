import { resolve } from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  createResourceProvider,
  type ListedResource,
  ProviderError,
  TOOL_NAMES,
  type ToolHandlers,
} from "../../protocol/index.ts";
import { type CatalogEntry, catalogFor } from "./catalog.ts";
import { openAwsEntry, searchOpenAwsTypes } from "./catalog-aws-open.ts";
import type { WorldResource } from "./catalog-entry.ts";
import { type Behaviour, parseBehaviour } from "./faults.ts";
import { faultGate } from "./gate.ts";
import { seedWorld } from "./seed.ts";
import { mockHandler } from "./type-handler.ts";
import { World } from "./world.ts";

export const MOCK_VERSION = "0.1.0";

export interface MockProviderOptions {
  /** The prefix the client mounts this server as; defaults to env MCP_IAC_SERVER_NAME. */
  mountName?: string;
  /** Defaults to env MOCK_WORLD_FILE, else `.mcp-iac/sandbox/<mount>.world.json` under the cwd. */
  worldFile?: string;
  /** Where MOCK_* settings are read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** How the server dies for MOCK_CRASH; by default it SIGKILLs itself. Tests pass a spy. */
  crash?: (reason: string) => void;
  /** Waits injected latency; tests pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Journal entries between world rewrites (at least the resource count). */
  compactEvery?: number;
}

export interface MockProvider {
  tools: ToolHandlers;
  server(): McpServer;
  mountName: string;
  world: World;
  /** Folds the journal into the world file and releases it. */
  close(): void;
}

function toListed(resource: WorldResource): ListedResource {
  return {
    id: resource.id,
    type: resource.type,
    ...(resource.name !== undefined ? { name: resource.name } : {}),
    ...(resource.deploymentId !== undefined ? { deploymentId: resource.deploymentId } : {}),
    properties: resource.properties,
    outputs: resource.outputs,
    managed: resource.deploymentId !== undefined,
  };
}

function defaultCrash(reason: string): void {
  process.stderr.write(`mock provider: crashing on purpose (${reason})\n`);
  process.kill(process.pid, "SIGKILL");
}

const sleepFor = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * The sandbox provider: every catalog type (or the mount's platform's) simulated against a
 * persistent world file, with latency, faults, crashes and hangs injected from MOCK_* variables.
 */
export function createMockProvider(options: MockProviderOptions = {}): MockProvider {
  const env = options.env ?? process.env;
  const mountName = options.mountName ?? (env["MCP_IAC_SERVER_NAME"] || undefined);
  const serverName = mountName ?? "mock";
  const behaviour: Behaviour = parseBehaviour(env);
  const entries = catalogFor(mountName, { allTypes: env["MOCK_ALL_TYPES"] === "1" });
  const byType = new Map(entries.map((entry) => [entry.type, entry]));
  const region = env["AWS_REGION"] || env["AWS_DEFAULT_REGION"] || "us-east-1";
  const crash = options.crash ?? defaultCrash;
  const fileName = `${serverName.replace(/[^A-Za-z0-9_.-]/g, "_")}.world.json`;
  const worldFile = options.worldFile ?? env["MOCK_WORLD_FILE"] ?? resolve(".mcp-iac", "sandbox", fileName);

  const claimsOf = (resource: WorldResource) => byType.get(resource.type)?.claims?.(resource) ?? [];
  const world = new World({
    file: worldFile,
    claimsOf,
    ...(options.compactEvery ? { compactEvery: options.compactEvery } : {}),
  });
  function die(reason: string): never {
    crash(reason);
    // Only reached when a test's crash spy returns instead of killing the process.
    throw new ProviderError("UNAVAILABLE", `the mock server crashed on purpose (${reason})`);
  }
  const gate = faultGate({
    behaviour,
    world,
    sleep: options.sleep ?? sleepFor,
    random: options.random ?? Math.random,
    die,
  });
  const handlerFor = (entry: CatalogEntry) => mockHandler(entry, { world, gate, region, claimsOf });
  seedWorld(world, env["MOCK_SEED_FILE"], byType, region);

  const provider = createResourceProvider({
    name: serverName,
    version: MOCK_VERSION,
    instructions: `Sandbox mock provider '${serverName}': simulated resources in ${worldFile}; nothing real is touched.`,
    types: entries.map(handlerFor),
    // As the real AWS provider does: further CloudFormation types described on demand.
    ...(entries.some((entry) => entry.type.startsWith("aws:"))
      ? {
          resolveType: async (type: string) => {
            const entry = openAwsEntry(type);
            return entry ? handlerFor(entry) : undefined;
          },
          searchTypes: async (query: string) => searchOpenAwsTypes(query),
        }
      : {}),
    list: async (filter) => world.list(filter).map(toListed),
    findManaged: async ({ deploymentId, type, name }) => {
      const found = world.findManaged(deploymentId, type, name);
      return found ? toListed(found) : undefined;
    },
    snapshots: {
      save: async (snapshot) => world.saveSnapshot(snapshot),
      load: async (snapshotId) => world.snapshot(snapshotId),
    },
  });

  const tools = countCalls(provider.tools, behaviour.crashAfterCalls, die);
  return {
    tools,
    mountName: serverName,
    world,
    server: () => provider.server(tools),
    close: () => world.close(),
  };
}

/** MOCK_CRASH_AFTER_CALLS: the Nth tool call this process receives kills it before any work. */
function countCalls(
  tools: ToolHandlers,
  crashAt: number | undefined,
  die: (reason: string) => never,
): ToolHandlers {
  if (crashAt === undefined) return tools;
  let calls = 0;
  const wrapped: Record<string, unknown> = {};
  for (const name of TOOL_NAMES) {
    const handler = tools[name] as (input: unknown) => unknown;
    wrapped[name] = (input: unknown) => {
      calls++;
      if (calls === crashAt) die(`MOCK_CRASH_AFTER_CALLS=${crashAt} reached by ${name}`);
      return handler(input);
    };
  }
  return wrapped as ToolHandlers;
}
