import type { ListedResource } from "../../tools/protocol/index.ts";
import type { StateWriter } from "../state/index.ts";
import { TypeCatalog } from "./catalog.ts";
import type { EventSink } from "./events.ts";
import { callData, type ProviderGateway } from "./gateway.ts";
import { makeRecord } from "./records.ts";

/** A resource a provider lists for the deployment that state does not hold (a lost create, a duplicate). */
export interface Orphan {
  server: string;
  type: string;
  id: string;
  name?: string;
  /** What was done about it: nothing yet, taken into state, or deleted. */
  outcome: "reported" | "adopted" | "deleted" | "failed";
  reason?: string;
}

export type OrphanAction = "report" | "adopt" | "delete";

/**
 * Asks every server that state uses what it lists for the deployment, and reports what state does
 * not hold. `adopt` takes an orphan into state under its name (unless state already has a resource of
 * that name: then it is a duplicate, only deletable); `delete` destroys it.
 */
export async function handleOrphans(
  writer: StateWriter,
  gateway: ProviderGateway,
  emit: EventSink,
  action: OrphanAction = "report",
  /** Servers to ask besides those state uses now (those it used before a refresh removed records). */
  alsoServers: Iterable<string> = [],
): Promise<Orphan[]> {
  const deploymentId = writer.state.name;
  const records = Object.values(writer.state.resources);
  const servers = new Set([
    ...alsoServers,
    ...records.map((record) => record.server),
    ...Object.values(writer.state.pending).map((operation) => operation.server),
  ]);
  const known = new Set(records.map((record) => `${record.server}\u0000${record.id}`));
  const orphans: Orphan[] = [];
  const catalog = new TypeCatalog(gateway);
  for (const server of [...servers].sort()) {
    const listed = await callData(gateway, server, "listResources", { filter: { deploymentId } });
    for (const entry of listed.resources) {
      if (known.has(`${server}\u0000${entry.id}`)) continue;
      const orphan = await settle(server, entry);
      orphans.push(orphan);
      emit({ type: "notice", level: "warn", message: describe(orphan, deploymentId) });
    }
  }
  return orphans;

  async function settle(server: string, entry: ListedResource): Promise<Orphan> {
    const orphan: Orphan = {
      server,
      type: entry.type,
      id: entry.id,
      ...(entry.name ? { name: entry.name } : {}),
      outcome: "reported",
    };
    try {
      if (action === "adopt") orphan.outcome = await adoptOrphan(writer, catalog, server, entry);
      else if (action === "delete") orphan.outcome = await deleteOrphan(gateway, deploymentId, server, entry);
    } catch (error) {
      orphan.outcome = "failed";
      orphan.reason = error instanceof Error ? error.message : String(error);
    }
    return orphan;
  }
}

async function adoptOrphan(
  writer: StateWriter,
  catalog: TypeCatalog,
  server: string,
  entry: ListedResource,
): Promise<"adopted"> {
  if (!entry.name) throw new Error("it has no name to hold it under");
  if (writer.state.resources[entry.name])
    throw new Error(`state already holds ${entry.name}, so this one is a duplicate: delete it instead`);
  await catalog.load([entry.type]);
  const info = (await catalog.entry(entry.type))?.info;
  await writer.putResource(
    makeRecord({
      name: entry.name,
      type: entry.type,
      server,
      id: entry.id,
      properties: entry.properties,
      outputs: entry.outputs,
      dependsOn: [],
      info,
    }),
  );
  return "adopted";
}

async function deleteOrphan(
  gateway: ProviderGateway,
  deploymentId: string,
  server: string,
  entry: ListedResource,
): Promise<"deleted"> {
  const resource = {
    type: entry.type,
    name: entry.name ?? entry.id,
    id: entry.id,
    properties: entry.properties,
    outputs: entry.outputs,
    status: "created" as const,
  };
  const data = await callData(gateway, server, "destroyDeployment", { deploymentId, resources: [resource] });
  const result = data.results[0];
  if (result?.status !== "succeeded")
    throw new Error(`${result?.error?.code ?? "INTERNAL"}: ${result?.error?.message ?? "no result"}`);
  return "deleted";
}

function describe(orphan: Orphan, deploymentId: string): string {
  const what = `${orphan.name ?? "(unnamed)"} (${orphan.type} ${orphan.id} on ${orphan.server})`;
  switch (orphan.outcome) {
    case "reported":
      return `orphan: ${what} exists for ${deploymentId} but state does not hold it; \`agent refresh ${deploymentId} --adopt-orphans\` takes it into state, \`--delete-orphans\` deletes it`;
    case "adopted":
      return `orphan: ${what} adopted into state`;
    case "deleted":
      return `orphan: ${what} deleted`;
    case "failed":
      return `orphan: ${what} left as it is: ${orphan.reason}`;
  }
}
