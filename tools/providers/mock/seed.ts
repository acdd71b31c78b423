import { readFileSync } from "node:fs";
import type { PropertyMap } from "../../protocol/index.ts";
import type { CatalogEntry } from "./catalog-entry.ts";
import { MockConfigError } from "./faults.ts";
import { managedLabels, storedProperties } from "./type-handler.ts";
import type { World } from "./world.ts";

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
export function seedWorld(
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
