import { TypeCatalog } from "./engine/catalog.ts";
import type { ProviderGateway } from "./engine/gateway.ts";
import type { ResourceRecord, StateSnapshot } from "./state/index.ts";

/** What `agent rollback` shows and asks approval for before restoring provider snapshots. */
export interface RollbackPreview {
  deployment: string;
  snapshots: StateSnapshot[];
  /** Every resource on the snapshots' servers: restored to the snapshot, or deleted if created since. */
  resources: { name: string; type: string; server: string; stateful: boolean; changedSince: boolean }[];
}

const STATEFUL_HINT = /(:rds:|:s3:|volume|database|:db:|disk|bucket)/;

/** The latest run's snapshots, or the one asked for (as rollbackToSnapshots picks them). */
export function chooseSnapshots(snapshots: StateSnapshot[], snapshotId?: string): StateSnapshot[] {
  if (snapshotId) return snapshots.filter((snapshot) => snapshot.snapshotId === snapshotId);
  const lastRun = snapshots.at(-1)?.runId;
  return lastRun === undefined ? [] : snapshots.filter((snapshot) => snapshot.runId === lastRun);
}

export async function rollbackPreview(
  gateway: ProviderGateway,
  name: string,
  snapshots: StateSnapshot[],
  records: ResourceRecord[],
): Promise<RollbackPreview> {
  const servers = new Set(snapshots.map((snapshot) => snapshot.server));
  const takenAt = Math.min(...snapshots.map((snapshot) => Date.parse(snapshot.createdAt)));
  const catalog = new TypeCatalog(gateway);
  const affected = records.filter((record) => servers.has(record.server));
  await catalog.load(affected.map((record) => record.type));
  const resources = [];
  for (const record of affected) {
    const info = (await catalog.entry(record.type))?.info;
    const stateful = info?.stateful ?? STATEFUL_HINT.test(record.type);
    // An unreadable time counts as changed: the safe side.
    const changedSince = !(Date.parse(record.updatedAt) <= takenAt);
    resources.push({ name: record.name, type: record.type, server: record.server, stateful, changedSince });
  }
  return { deployment: name, snapshots, resources };
}

export function describeRollback(preview: RollbackPreview): string {
  const taken = preview.snapshots
    .map((snapshot) => `${snapshot.server} snapshot ${snapshot.snapshotId} (${snapshot.createdAt})`)
    .join(", ");
  const lines = preview.resources.map(
    (resource) =>
      `  ${resource.changedSince ? "~" : " "} ${resource.name} (${resource.type})${resource.stateful ? " [stateful]" : ""}${
        resource.changedSince ? "" : " unchanged since"
      }`,
  );
  return [
    `Rollback of ${preview.deployment} to ${taken}: these resources go back to the snapshot, and any created since are deleted:`,
    ...(lines.length > 0 ? lines : ["  (state holds none on those servers)"]),
  ].join("\n");
}
