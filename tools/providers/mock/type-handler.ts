import {
  isSecretDigest,
  type PropertyMap,
  ProviderError,
  type ResourceTypeHandler,
  secretDigest,
} from "../../protocol/index.ts";
import type { CatalogEntry, WorldResource } from "./catalog-entry.ts";
import type { Gate } from "./gate.ts";
import type { World } from "./world.ts";

const MANAGED_BY = "managed-by";

export function managedLabels(deploymentId: string, name: string): Record<string, string> {
  return { [MANAGED_BY]: "mcp-iac", "mcp-iac/deployment": deploymentId, "mcp-iac/name": name };
}

export function storedProperties(entry: CatalogEntry, properties: PropertyMap): PropertyMap {
  if (!entry.secretProperties?.some((key) => properties[key] !== undefined)) return properties;
  const stored = { ...properties };
  // The world stands for the platform's state file: secrets are kept only as digests.
  for (const key of entry.secretProperties) {
    const value = stored[key];
    if (value !== undefined && !isSecretDigest(value)) stored[key] = secretDigest(value);
  }
  return stored;
}

export interface SimulatedPlatform {
  world: World;
  gate: Gate;
  region: string;
  claimsOf(resource: WorldResource): string[];
}

function checkConflicts(
  { world, claimsOf }: SimulatedPlatform,
  resource: WorldResource,
  creating: boolean,
): void {
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

/** Create as the platform would: allocation, conflict check and write as one step under the world's lock. */
async function createIn(
  platform: SimulatedPlatform,
  entry: CatalogEntry,
  properties: PropertyMap,
  { deploymentId, name }: { deploymentId: string; name: string },
): Promise<{ id: string; outputs: PropertyMap }> {
  const { world, region, type } = { ...platform, type: entry.type };
  const after = await platform.gate("create", type, name);
  const id = entry.newId({ name, deploymentId, properties, region });
  const seed = `${deploymentId}/${name}`;
  // Under the world's lock: another process may share this sandbox.
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
    checkConflicts(platform, resource, true);
    world.put(resource);
    return outputs;
  });
  after();
  return { id, outputs };
}

async function updateIn(
  platform: SimulatedPlatform,
  entry: CatalogEntry,
  id: string,
  properties: PropertyMap,
  context: { deploymentId: string; name: string },
): Promise<PropertyMap> {
  const { world, region, type } = { ...platform, type: entry.type };
  const existingOf = () => {
    const found = world.get(id);
    return found?.type === type ? found : undefined;
  };
  const after = await platform.gate("update", type, existingOf()?.name ?? context.name);
  const existing = existingOf();
  if (!existing) throw new ProviderError("NOT_FOUND", `${type} ${id} does not exist`);
  const name = existing.name ?? context.name;
  const deploymentId = existing.deploymentId ?? context.deploymentId;
  const seed = existing.deploymentId ? `${deploymentId}/${name}` : id;
  const previous = existing.outputs;
  const outputs = entry.makeOutputs({ id, name, deploymentId, properties, previous, world, region, seed });
  const resource: WorldResource = {
    ...existing,
    properties: storedProperties(entry, properties),
    outputs,
    updatedAt: new Date().toISOString(),
  };
  checkConflicts(platform, resource, false);
  world.put(resource);
  after();
  return outputs;
}

/**
 * One catalog type simulated against the world. A create sent twice with one operationId is joined
 * or adopted by the protocol helper (createResourceProvider), as Cloud Control's ClientToken would.
 */
export function mockHandler(entry: CatalogEntry, platform: SimulatedPlatform): ResourceTypeHandler {
  const { type } = entry;
  const { world, gate } = platform;
  const existingOf = (id: string) => {
    const found = world.get(id);
    return found?.type === type ? found : undefined;
  };
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
    create: (properties, context) => createIn(platform, entry, properties, context),
    async read(id) {
      const after = await gate("read", type, existingOf(id)?.name ?? id);
      const found = existingOf(id);
      after();
      return found ? { properties: found.properties, outputs: found.outputs } : null;
    },
    update: (id, properties, context) => updateIn(platform, entry, id, properties, context),
    async delete(id) {
      const after = await gate("delete", type, existingOf(id)?.name ?? id);
      if (!existingOf(id)) throw new ProviderError("NOT_FOUND", `${type} ${id} does not exist`);
      world.remove(id);
      after();
    },
  };
}
