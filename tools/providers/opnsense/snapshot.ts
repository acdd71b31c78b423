import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../../../core/atomic-write.ts";
import { ProviderError, type SnapshotEntry } from "../../protocol/index.ts";
import type { Collection, CollectionApi, Fields } from "./api.ts";
import type { OpnsenseClient } from "./client.ts";
import { withLockoutProbe } from "./lockout.ts";
import { parseMarker } from "./marker.ts";

/** One item as the API returned it, with the collection it belongs to. */
interface RecordedItem {
  collection: string;
  id: string;
  fields: Fields;
}

export interface OpnsenseSnapshot {
  snapshotId: string;
  deploymentId: string;
  createdAt: string;
  /** The configuration-history entry current when it was taken: the coarse fallback from the console. */
  historyEntry?: string;
  resources: SnapshotEntry[];
  items: RecordedItem[];
}

/** Fields the API computes or never gives back; key material stays on the firewall, not in a file. */
const NOT_WRITTEN = new Set(["uuid", "vlanif", "identifier", "crt", "prv", "password"]);

export function snapshotDir(option?: string): string {
  return resolve(option ?? process.env.OPNSENSE_PROVIDER_STATE_DIR ?? ".mcp-iac/opnsense-provider");
}

/** Snapshots as one JSON file per snapshot, written atomically. */
export function fileStore(dir: string) {
  const path = (id: string) => join(dir, `${id.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
  return {
    async save(snapshot: OpnsenseSnapshot) {
      await writeFileAtomic(path(snapshot.snapshotId), JSON.stringify(snapshot, null, 1), {
        createDir: { mode: 0o700 },
      });
    },
    async load(id: string): Promise<OpnsenseSnapshot | undefined> {
      try {
        return JSON.parse(await readFile(path(id), "utf8")) as OpnsenseSnapshot;
      } catch {
        return undefined;
      }
    },
  };
}

export interface SnapshotDeps {
  client: OpnsenseClient;
  /** Every collection the provider writes, in dependency order (what others refer to first). */
  collections: { name: string; api: CollectionApi; reloadsFilter: boolean; markerField: string }[];
  store: ReturnType<typeof fileStore>;
  /** The resources the helper would list, for the snapshot's answer. */
  resources(deploymentId: string): Promise<SnapshotEntry[]>;
}

async function ours(deps: SnapshotDeps, deploymentId: string): Promise<RecordedItem[]> {
  const items: RecordedItem[] = [];
  for (const { name, api, markerField } of deps.collections) {
    try {
      await api.requireRelease(name);
    } catch {
      continue;
    }
    for (const row of await api.search()) {
      if (parseMarker(row[markerField] ?? "").marker?.deploymentId !== deploymentId) continue;
      const id = row.identifier || row.uuid;
      const fields = await api.get(id);
      if (fields) items.push({ collection: name, id, fields });
    }
  }
  return items;
}

const writable = (fields: Fields): Fields =>
  Object.fromEntries(Object.entries(fields).filter(([key]) => !NOT_WRITTEN.has(key)));
const same = (a: Fields, b: Fields) => JSON.stringify(writable(a)) === JSON.stringify(writable(b));

/**
 * Undo without the savepoint 26.7 removed: createSnapshot records every item of the deployment (and
 * the owned sub-items) as the API returns it; rollback re-creates what is gone (set on its uuid is an
 * upsert), sets back what changed, deletes what is new, then applies each touched module once.
 */
export function snapshots(deps: SnapshotDeps) {
  return {
    async create(deploymentId: string) {
      let historyEntry: string | undefined;
      try {
        historyEntry = ((await deps.client.get("core/backup/backups/this")) as { items?: { id?: string }[] })
          .items?.[0]?.id;
      } catch {
        historyEntry = undefined;
      }
      const snapshot: OpnsenseSnapshot = {
        snapshotId: `snap-opnsense-${deploymentId}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`,
        deploymentId,
        createdAt: new Date().toISOString(),
        ...(historyEntry ? { historyEntry } : {}),
        resources: await deps.resources(deploymentId),
        items: (await ours(deps, deploymentId)).map((item) => ({ ...item, fields: writable(item.fields) })),
      };
      await deps.store.save(snapshot);
      return {
        snapshotId: snapshot.snapshotId,
        createdAt: snapshot.createdAt,
        resources: snapshot.resources,
      };
    },

    async rollback(snapshotId: string) {
      const snapshot = await deps.store.load(snapshotId);
      if (!snapshot)
        throw new ProviderError(
          "NOT_FOUND",
          `snapshot ${snapshotId} does not exist (looked in the provider's state folder)`,
        );
      return deps.client.serialize(async () => {
        const now = await ours(deps, snapshot.deploymentId);
        const restored: string[] = [];
        const deleted: string[] = [];
        const touched = new Set<string>();
        const byName = new Map(deps.collections.map((c) => [c.name, c]));
        const key = (item: { collection: string; id: string }) => `${item.collection}/${item.id}`;
        const live = new Map(now.map((item) => [key(item), item]));
        const recorded = new Set(snapshot.items.map(key));
        // Re-create and set back in dependency order, so that references resolve ...
        for (const item of snapshot.items) {
          const collection = byName.get(item.collection);
          if (!collection) continue;
          const current = live.get(key(item));
          if (current && same(current.fields, item.fields)) continue;
          if (collection.api.c.controller === "interfaces/assignment" && !current)
            await collection.api.add(item.fields);
          else await collection.api.set(item.id, item.fields);
          touched.add(item.collection);
          restored.push(resourceName(snapshot, item));
        }
        // ... then delete what the snapshot did not have, dependents first.
        for (const item of [...now].reverse()) {
          if (recorded.has(key(item))) continue;
          await byName.get(item.collection)?.api.del(item.id);
          touched.add(item.collection);
          deleted.push(resourceName(snapshot, item));
        }
        const apply = async () => {
          const done = new Set<string>();
          for (const name of touched) {
            const api = byName.get(name)!.api;
            if (!api.c.apply || done.has(api.c.apply)) continue;
            done.add(api.c.apply);
            await api.apply();
          }
        };
        if ([...touched].some((name) => byName.get(name)?.reloadsFilter))
          await withLockoutProbe(deps.client, apply);
        else await apply();
        return { restored: [...new Set(restored)], deleted: [...new Set(deleted)] };
      });
    },
  };
}

function resourceName(snapshot: OpnsenseSnapshot, item: RecordedItem): string {
  const entry = snapshot.resources.find((resource) => resource.id === item.id);
  if (entry) return entry.name;
  const field = Object.entries(item.fields).find(([, value]) => parseMarker(value).marker);
  return field ? (parseMarker(field[1]).marker?.name ?? item.id) : item.id;
}

export type { Collection };
