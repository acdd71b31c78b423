import type { ListedResource } from "../../tools/protocol/index.ts";
import type { PendingOperation, StateWriter } from "../state/index.ts";
import { TypeCatalog } from "./catalog.ts";
import type { EventSink } from "./events.ts";
import { callData, ProviderCallError, type ProviderGateway } from "./gateway.ts";
import { makeRecord } from "./records.ts";

/** Lists a deployment's resources once per server during one reconciliation pass. */
export class DeploymentListing {
  readonly #gateway: ProviderGateway;
  readonly #deploymentId: string;
  readonly #cache = new Map<string, Promise<ListedResource[]>>();

  constructor(gateway: ProviderGateway, deploymentId: string) {
    this.#gateway = gateway;
    this.#deploymentId = deploymentId;
  }

  find(server: string, type: string, name: string): Promise<ListedResource | undefined> {
    let listed = this.#cache.get(server);
    if (!listed) {
      listed = callData(this.#gateway, server, "listResources", {
        filter: { deploymentId: this.#deploymentId },
      }).then((data) => data.resources);
      this.#cache.set(server, listed);
    }
    return listed.then((resources) => resources.find((entry) => entry.name === name && entry.type === type));
  }

  forget(server: string): void {
    this.#cache.delete(server);
  }
}

export type ReconcileOutcome = "adopted" | "removed" | "refreshed" | "dropped";

/**
 * Settles one operation whose outcome is unknown (the run died, or the provider's answer was lost)
 * by asking the provider what really exists, so that state equals reality again.
 */
export async function reconcileOperation(
  writer: StateWriter,
  gateway: ProviderGateway,
  catalog: TypeCatalog,
  listing: DeploymentListing,
  operation: PendingOperation,
): Promise<ReconcileOutcome> {
  await catalog.load([operation.type]);
  const info = (await catalog.entry(operation.type))?.info;
  const existing = writer.state.resources[operation.name];
  const dependsOn = existing?.dependsOn ?? [];
  const adopt = (found: {
    id: string;
    properties: Record<string, unknown>;
    outputs: Record<string, unknown>;
  }) =>
    makeRecord({
      name: operation.name,
      type: operation.type,
      server: operation.server,
      dependsOn,
      info,
      ...found,
      ...(existing ? { previous: existing.properties } : {}),
    });

  if (operation.id && operation.action !== "replace") {
    try {
      const live = await callData(gateway, operation.server, "getResource", {
        type: operation.type,
        id: operation.id,
      });
      await writer.settleOperation(operation.opId, { put: adopt(live) });
      return "refreshed";
    } catch (error) {
      if (!(error instanceof ProviderCallError && error.body.code === "NOT_FOUND")) throw error;
    }
    if (operation.action === "delete" || operation.action === "update") {
      await writer.settleOperation(operation.opId, existing ? { remove: operation.name } : {});
      return existing ? "removed" : "dropped";
    }
  }
  // A create (or replace) cut off before its id came back: the provider's labels tell us.
  const found = await listing.find(operation.server, operation.type, operation.name);
  if (found) {
    await writer.settleOperation(operation.opId, { put: adopt(found) });
    return "adopted";
  }
  await writer.settleOperation(operation.opId, existing ? { remove: operation.name } : {});
  return existing ? "removed" : "dropped";
}

/**
 * Reconciles every pending operation of a deployment before anything else happens to it. Returns the
 * idempotency keys of creates that left nothing behind, by resource name: when the plan creates that
 * resource again, it sends the same key, so a provider still working on the first create makes one.
 */
export async function reconcilePending(
  writer: StateWriter,
  gateway: ProviderGateway,
  emit: EventSink,
): Promise<Map<string, string>> {
  const reusable = new Map<string, string>();
  const pending = Object.values(writer.state.pending);
  if (pending.length === 0) return reusable;
  emit({ type: "reconcile.started", pending: pending.length });
  const catalog = new TypeCatalog(gateway);
  const listing = new DeploymentListing(gateway, writer.state.name);
  for (const operation of pending) {
    const outcome = await reconcileOperation(writer, gateway, catalog, listing, operation);
    emit({ type: "reconcile.resolved", name: operation.name, action: operation.action, outcome });
    const opened = operation.action === "create" || operation.action === "replace";
    if (opened && operation.operationId && (outcome === "dropped" || outcome === "removed"))
      reusable.set(operation.name, operation.operationId);
  }
  await writer.commit();
  return reusable;
}
