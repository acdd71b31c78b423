import { ProviderError } from "./errors.ts";
import { deleteTolerant, diffProperties } from "./provider-parts.ts";
import type { ListedResource, PropertyMap } from "./schemas.ts";
import type { ToolInput } from "./tools.ts";
import type { ResourceTypeHandler } from "./type-handler.ts";

export interface SnapshotEntry {
  type: string;
  name: string;
  id: string;
  properties: PropertyMap;
}

export interface SnapshotRecord {
  snapshotId: string;
  deploymentId: string;
  createdAt: string;
  resources: SnapshotEntry[];
}

export interface SnapshotStore {
  save(snapshot: SnapshotRecord): Promise<void>;
  load(snapshotId: string): Promise<SnapshotRecord | undefined>;
}

/** Keeps snapshots in memory; providers with a durable store pass their own. */
export function memorySnapshotStore(): SnapshotStore {
  const snapshots = new Map<string, SnapshotRecord>();
  return {
    async save(snapshot) {
      snapshots.set(snapshot.snapshotId, structuredClone(snapshot));
    },
    async load(snapshotId) {
      return snapshots.get(snapshotId);
    },
  };
}

/** What restoring needs of the provider: its listing and its handlers. */
export interface RestorePlatform {
  list(filter: { deploymentId: string }): Promise<ListedResource[]>;
  /** The handler for a type, or an UNSUPPORTED error. */
  handlerFor(type: string): Promise<ResourceTypeHandler>;
  /** The handler for a type, or undefined when it is not served. */
  find(type: string): Promise<ResourceTypeHandler | undefined>;
}

/**
 * Puts a deployment's resources back as a snapshot recorded them: updates or re-creates what changed
 * or went, deletes what is new.
 */
export async function restoreSnapshot(record: SnapshotRecord, platform: RestorePlatform) {
  const now = await platform.list({ deploymentId: record.deploymentId });
  const restored: string[] = [];
  const deleted: string[] = [];
  const kept = new Set<string>();
  for (const entry of record.resources) {
    const handler = await platform.handlerFor(entry.type);
    const context = { deploymentId: record.deploymentId, name: entry.name };
    const live = now.find((item) => item.name === entry.name && item.type === entry.type);
    if (live) {
      kept.add(live.id);
      const diff = diffProperties(live.properties, entry.properties, handler.replaceOnChange);
      if (diff.length === 0) continue;
      if (handler.update && !diff.some((item) => item.forcesReplacement)) {
        await handler.update(live.id, entry.properties, { ...context, diff });
      } else {
        await deleteTolerant(handler, live.id, context);
        await handler.create(entry.properties, context);
      }
    } else {
      await handler.create(entry.properties, context);
    }
    restored.push(entry.name);
  }
  for (const live of now) {
    if (kept.has(live.id)) continue;
    const handler = await platform.find(live.type);
    if (!handler) continue;
    await deleteTolerant(handler, live.id);
    deleted.push(live.name ?? live.id);
  }
  return { restored, deleted };
}

/** The snapshot tools of a provider over its listing and a store; types are reported as mounted. */
export function snapshotTools(
  platform: RestorePlatform & { mounted(type: string): string },
  store: SnapshotStore,
) {
  return {
    createSnapshot: async ({ deploymentId }: ToolInput<"createSnapshot">) => {
      const entries = await platform.list({ deploymentId });
      const record: SnapshotRecord = {
        snapshotId: `snap-${deploymentId}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        deploymentId,
        createdAt: new Date().toISOString(),
        resources: entries.map((entry) => ({
          type: entry.type,
          name: entry.name ?? entry.id,
          id: entry.id,
          properties: entry.properties,
        })),
      };
      await store.save(record);
      const resources = record.resources.map((entry) => ({ ...entry, type: platform.mounted(entry.type) }));
      return { snapshotId: record.snapshotId, createdAt: record.createdAt, resources };
    },
    rollbackToSnapshot: async ({ snapshotId }: ToolInput<"rollbackToSnapshot">) => {
      const record = await store.load(snapshotId);
      if (!record) throw new ProviderError("NOT_FOUND", `snapshot ${snapshotId} does not exist`);
      return restoreSnapshot(record, platform);
    },
  };
}
