import type { CatalogType } from "../../protocol/catalog/types.ts";
import type { PropertyMap, ValidationIssue } from "../../protocol/index.ts";

/** A resource as the mock world keeps it. */
export interface WorldResource {
  id: string;
  type: string;
  /** The resource's name in its deployment; for unmanaged ones, whatever the platform calls it. */
  name?: string;
  /** Set only for resources mcp-iac manages. */
  deploymentId?: string;
  properties: PropertyMap;
  outputs: PropertyMap;
  labels: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** What an entry may look up in the world while it computes outputs. */
export interface WorldView {
  get(id: string): WorldResource | undefined;
  list(filter: { type?: string; deploymentId?: string }): WorldResource[];
  /** Whether a claim key (an address, a unique name) is held by a resource other than `exceptId`. */
  isClaimed(key: string, exceptId?: string): boolean;
}

export interface OutputContext {
  id: string;
  name: string;
  deploymentId: string;
  /** Fully known properties, secrets in clear (they are only digested when stored). */
  properties: PropertyMap;
  /** The outputs before an update; absent on create. Stable values (addresses) are kept from here. */
  previous?: PropertyMap;
  world: WorldView;
  region: string;
  /** Stable per resource: the basis of deterministic addresses. */
  seed: string;
}

export interface IdContext {
  name: string;
  region: string;
  deploymentId: string;
  properties: PropertyMap;
}

/** One catalog type of the mock: its schemas and how the simulated platform answers. */
export interface CatalogEntry extends CatalogType {
  validate?(properties: PropertyMap, name: string): Omit<ValidationIssue, "resource">[];
  newId(context: IdContext): string;
  /** Outputs after a create or update; must include `id`. Throws a ProviderError the platform would raise. */
  makeOutputs(context: OutputContext): PropertyMap;
  /**
   * Keys this resource holds in the world. `unique:` keys must not be held twice (a second holder
   * gets ALREADY_EXISTS); `addr:` keys mark allocated addresses for the allocators to skip.
   */
  claims?(resource: WorldResource): string[];
}
