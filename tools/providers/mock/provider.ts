import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  createProviderServer,
  createResourceProvider,
  isSecretDigest,
  type ListedResource,
  type PropertyMap,
  ProviderError,
  type ResourceTypeHandler,
  secretDigest,
  TOOL_NAMES,
  type ToolHandlers,
} from "../../protocol/index.ts";
import { type CatalogEntry, catalogFor } from "./catalog.ts";
import { openAwsEntry, searchOpenAwsTypes } from "./catalog-aws-open.ts";
import type { WorldResource } from "./catalog-entry.ts";
import {
  type Behaviour,
  fires,
  latencyFor,
  MockConfigError,
  type Operation,
  parseBehaviour,
  pickLatency,
} from "./faults.ts";
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

const MANAGED_BY = "managed-by";

function managedLabels(deploymentId: string, name: string): Record<string, string> {
  return { [MANAGED_BY]: "mcp-iac", "mcp-iac/deployment": deploymentId, "mcp-iac/name": name };
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

function storedProperties(entry: CatalogEntry, properties: PropertyMap): PropertyMap {
  if (!entry.secretProperties?.some((key) => properties[key] !== undefined)) return properties;
  const stored = { ...properties };
  // The world stands for the platform's state file: secrets are kept only as digests.
  for (const key of entry.secretProperties) {
    const value = stored[key];
    if (value !== undefined && !isSecretDigest(value)) stored[key] = secretDigest(value);
  }
  return stored;
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
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const fileName = `${serverName.replace(/[^A-Za-z0-9_.-]/g, "_")}.world.json`;
  const worldFile = options.worldFile ?? env["MOCK_WORLD_FILE"] ?? resolve(".mcp-iac", "sandbox", fileName);

  const claimsOf = (resource: WorldResource) => byType.get(resource.type)?.claims?.(resource) ?? [];
  const world = new World({
    file: worldFile,
    claimsOf,
    ...(options.compactEvery ? { compactEvery: options.compactEvery } : {}),
  });

  /** Creates by operationId, in flight or done, so a create sent twice answers the first one's resource. */
  const byOperation = new Map<string, Promise<{ id: string; outputs: PropertyMap }>>();

  function die(reason: string): never {
    crash(reason);
    // Only reached when a test's crash spy returns instead of killing the process.
    throw new ProviderError("UNAVAILABLE", `the mock server crashed on purpose (${reason})`);
  }

  /** Counts the attempt for a matching rule and says whether the rule fires on it (0 when not matching). */
  function attemptOf(
    kind: string,
    rule: Behaviour["faults"][number] | Behaviour["hangs"][number],
    op: Operation,
    type: string,
    name: string,
  ): number {
    if (!rule.ops.includes(op) || !rule.matches(name, type)) return 0;
    const attempt = world.bumpAttempt(`${kind}:${rule.key}:${name}`);
    return fires(rule.trigger, attempt) ? attempt : 0;
  }

  /** Everything injected before an operation; returns what must happen after it. */
  async function gate(op: Operation, type: string, name: string): Promise<() => void> {
    const latency = op === "read" ? undefined : latencyFor(behaviour, type);
    if (latency) {
      const ms = pickLatency(latency, random);
      if (ms > 0) await sleep(ms);
    }
    for (const rule of behaviour.hangs) {
      if (attemptOf("hang", rule, op, type, name)) await new Promise<never>(() => {});
    }
    const crashesAfter: string[] = [];
    for (const rule of behaviour.crashes) {
      const attempt = attemptOf("crash", rule, op, type, name);
      if (!attempt) continue;
      const reason = `MOCK_CRASH ${rule.when} ${op} of ${name} (${type}), attempt ${attempt}`;
      if (rule.when === "before") die(reason);
      crashesAfter.push(reason);
    }
    for (const rule of behaviour.faults) {
      const attempt = attemptOf("fault", rule, op, type, name);
      if (!attempt) continue;
      throw new ProviderError(
        rule.code,
        rule.message ?? `injected ${rule.code} on ${op} of ${name} (${type}), attempt ${attempt}`,
        { retryable: rule.retryable, details: { injected: true, attempt } },
      );
    }
    return () => {
      const first = crashesAfter[0];
      if (first !== undefined) die(first);
    };
  }

  function checkConflicts(resource: WorldResource, creating: boolean): void {
    if (creating && world.get(resource.id)) {
      throw new ProviderError("ALREADY_EXISTS", `${resource.type} ${resource.id} already exists`, {
        details: { id: resource.id },
      });
    }
    for (const key of claimsOf(resource)) {
      if (!key.startsWith("unique:") || !world.isClaimed(key, resource.id)) continue;
      const holder = world.get(world.claimant(key) ?? "");
      const owner = holder?.deploymentId ? ` (${holder.name} in deployment ${holder.deploymentId})` : "";
      throw new ProviderError(
        "ALREADY_EXISTS",
        `${resource.type}: ${key.slice("unique:".length)} is already taken by ${holder?.id}${owner}`,
        { details: { id: holder?.id, name: holder?.name, deploymentId: holder?.deploymentId } },
      );
    }
  }

  function handlerFor(entry: CatalogEntry): ResourceTypeHandler {
    const { type } = entry;
    const existingOf = (id: string) => {
      const found = world.get(id);
      return found?.type === type ? found : undefined;
    };
    const notFound = (id: string) => new ProviderError("NOT_FOUND", `${type} ${id} does not exist`);
    async function createNow(
      properties: PropertyMap,
      { deploymentId, name }: { deploymentId: string; name: string },
    ): Promise<{ id: string; outputs: PropertyMap }> {
      const after = await gate("create", type, name);
      const id = entry.newId({ name, deploymentId, properties, region });
      const seed = `${deploymentId}/${name}`;
      // Allocation, conflict check and write as one step under the world's lock: another process
      // may share this sandbox.
      const outputs = world.exclusive(() => {
        const outputs = entry.makeOutputs({ id, name, deploymentId, properties, world, region, seed });
        const now = new Date().toISOString();
        const resource: WorldResource = {
          id,
          type,
          name,
          deploymentId,
          properties: storedProperties(entry, properties),
          outputs,
          labels: managedLabels(deploymentId, name),
          createdAt: now,
          updatedAt: now,
        };
        checkConflicts(resource, true);
        world.put(resource);
        return outputs;
      });
      after();
      return { id, outputs };
    }
    return {
      type,
      description: entry.description,
      properties: entry.properties,
      outputs: entry.outputs,
      replaceOnChange: entry.replaceOnChange ?? [],
      secretProperties: entry.secretProperties ?? [],
      ...(entry.stateful ? { stateful: true } : {}),
      ...(entry.validate ? { validate: entry.validate } : {}),
      ...(entry.estimateMonthlyCost ? { estimateMonthlyCost: entry.estimateMonthlyCost } : {}),

      create(properties, context) {
        // The operationId makes a create sent twice (a retry after a lost answer) one resource, as
        // Cloud Control's ClientToken does: a send while the first is in flight waits for it.
        const key = context.operationId;
        if (!key) return createNow(properties, context);
        const known = byOperation.get(key);
        if (known) {
          return known.then((created) => (world.get(created.id) ? created : createNow(properties, context)));
        }
        const making = createNow(properties, context);
        byOperation.set(key, making);
        making.catch(() => byOperation.delete(key));
        return making;
      },

      async read(id) {
        const after = await gate("read", type, existingOf(id)?.name ?? id);
        const found = existingOf(id);
        after();
        return found ? { properties: found.properties, outputs: found.outputs } : null;
      },

      async update(id, properties, context) {
        const after = await gate("update", type, existingOf(id)?.name ?? context.name);
        const existing = existingOf(id);
        if (!existing) throw notFound(id);
        const name = existing.name ?? context.name;
        const deploymentId = existing.deploymentId ?? context.deploymentId;
        const seed = existing.deploymentId ? `${deploymentId}/${name}` : id;
        const outputs = entry.makeOutputs({
          id,
          name,
          deploymentId,
          properties,
          previous: existing.outputs,
          world,
          region,
          seed,
        });
        const resource: WorldResource = {
          ...existing,
          properties: storedProperties(entry, properties),
          outputs,
          updatedAt: new Date().toISOString(),
        };
        checkConflicts(resource, false);
        world.put(resource);
        after();
        return outputs;
      },

      async delete(id) {
        const after = await gate("delete", type, existingOf(id)?.name ?? id);
        if (!existingOf(id)) throw notFound(id);
        world.remove(id);
        after();
      },
    };
  }

  seedWorld(world, env["MOCK_SEED_FILE"], byType, region);

  const provider = createResourceProvider({
    name: serverName,
    version: MOCK_VERSION,
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
    server: () =>
      createProviderServer({
        name: serverName,
        version: MOCK_VERSION,
        handlers: tools,
        instructions: `Sandbox mock provider '${serverName}': simulated resources in ${worldFile}; nothing real is touched.`,
      }),
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

interface SeedResource {
  id?: string;
  type: string;
  name?: string;
  deploymentId?: string;
  properties?: PropertyMap;
  outputs?: PropertyMap;
  labels?: Record<string, string>;
}

/**
 * MOCK_SEED_FILE: resources that already exist on the "platform" (without deploymentId they are
 * unmanaged), for discovery and import tests. Added at each start unless already present.
 */
function seedWorld(
  world: World,
  file: string | undefined,
  byType: Map<string, CatalogEntry>,
  region: string,
): void {
  if (!file) return;
  let seeds: unknown;
  try {
    seeds = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new MockConfigError(`MOCK_SEED_FILE ${file} cannot be read as JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(seeds))
    throw new MockConfigError(`MOCK_SEED_FILE ${file} must hold a JSON array of resources`);
  for (const [index, raw] of seeds.entries()) {
    const seed = raw as SeedResource;
    if (typeof seed?.type !== "string") {
      throw new MockConfigError(`MOCK_SEED_FILE ${file}: entry ${index} needs a type`);
    }
    if (seed.id !== undefined && world.get(seed.id)) continue;
    if (seed.id === undefined) {
      const same = world
        .list({ type: seed.type })
        .find((item) => item.name === seed.name && !item.deploymentId);
      if (same) continue;
    }
    const entry = byType.get(seed.type);
    const properties = seed.properties ?? {};
    const name = seed.name ?? `${seed.type.split(":").at(-1)}-${index}`;
    const deploymentId = seed.deploymentId ?? "";
    const id = seed.id ?? entry?.newId({ name, deploymentId, properties, region }) ?? `seed-${index}`;
    const computed = entry?.makeOutputs({
      id,
      name,
      deploymentId,
      properties,
      world,
      region,
      seed: `seed/${name}`,
    }) ?? { id };
    const now = new Date().toISOString();
    world.put({
      id,
      type: seed.type,
      ...(seed.name !== undefined ? { name: seed.name } : {}),
      ...(seed.deploymentId !== undefined ? { deploymentId: seed.deploymentId } : {}),
      properties: entry ? storedProperties(entry, properties) : properties,
      outputs: { ...computed, ...seed.outputs },
      labels: seed.labels ?? (seed.deploymentId ? managedLabels(seed.deploymentId, name) : {}),
      createdAt: now,
      updatedAt: now,
    });
  }
}
