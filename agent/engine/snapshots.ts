import type { StateWriter } from "../state/index.ts";
import { TypeCatalog } from "./catalog.ts";
import type { EventSink } from "./events.ts";
import { callData, type ProviderGateway } from "./gateway.ts";
import { makeRecord } from "./records.ts";

/**
 * Restores a deployment to provider snapshots (the latest run's, or one by id) and rebuilds state
 * from what each provider then reports for the deployment.
 */
export async function rollbackToSnapshots(
  writer: StateWriter,
  gateway: ProviderGateway,
  emit: EventSink,
  snapshotId?: string,
): Promise<{ server: string; snapshotId: string; restored: string[]; deleted: string[] }[]> {
  const snapshots = writer.state.snapshots;
  let chosen = snapshotId ? snapshots.filter((snapshot) => snapshot.snapshotId === snapshotId) : [];
  if (!snapshotId && snapshots.length > 0) {
    const lastRun = snapshots.at(-1)!.runId;
    chosen = snapshots.filter((snapshot) => snapshot.runId === lastRun);
  }
  if (chosen.length === 0) return [];
  const catalog = new TypeCatalog(gateway);
  const outcome = [];
  for (const snapshot of chosen) {
    const data = await callData(gateway, snapshot.server, "rollbackToSnapshot", {
      snapshotId: snapshot.snapshotId,
    });
    for (const name of data.restored)
      emit({ type: "rollback.change", name, action: "restore", status: "succeeded" });
    for (const name of data.deleted)
      emit({ type: "rollback.change", name, action: "delete", status: "succeeded" });
    outcome.push({ server: snapshot.server, snapshotId: snapshot.snapshotId, ...data });
    const listed = await callData(gateway, snapshot.server, "getDeploymentState", {
      deploymentId: writer.state.name,
    });
    await catalog.load(listed.resources.map((entry) => entry.type));
    const present = new Set<string>();
    for (const entry of listed.resources) {
      const name = entry.name ?? entry.id;
      present.add(name);
      const previous = writer.state.resources[name];
      await writer.putResource(
        makeRecord({
          name,
          type: entry.type,
          server: snapshot.server,
          id: entry.id,
          properties: entry.properties,
          outputs: entry.outputs,
          dependsOn: previous?.dependsOn ?? [],
          info: (await catalog.entry(entry.type))?.info,
        }),
      );
    }
    for (const record of Object.values(writer.state.resources)) {
      if (record.server === snapshot.server && !present.has(record.name))
        await writer.removeResource(record.name);
    }
  }
  return outcome;
}
