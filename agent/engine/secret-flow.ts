import type { ResourceTypeInfo } from "../../tools/protocol/index.ts";
import type { ResourceGraph } from "./graph.ts";
import { findReferences, type Reference } from "./references.ts";

/**
 * Which properties of each resource hold a secret: those its type declares secret, plus every
 * property a reference copies a secret into — a secret property or secret output of another
 * resource, whole or inside a longer string, transitively. A secret stays a secret wherever it flows.
 */
export class SecretFlow {
  /** Only resources with a secret key: on a large deployment most have none, and a Set each adds up. */
  readonly #keys = new Map<string, Set<string>>();
  readonly #graph: ResourceGraph;
  readonly #infoOf: (type: string) => ResourceTypeInfo | undefined;

  constructor(graph: ResourceGraph, infoOf: (type: string) => ResourceTypeInfo | undefined) {
    this.#graph = graph;
    this.#infoOf = infoOf;
    // Dependencies first, so a copy of a copy is seen.
    for (const name of graph.order) {
      const node = graph.nodes.get(name)!;
      const keys = new Set(infoOf(node.resource.type)?.secretProperties ?? []);
      for (const reference of node.references) {
        if (this.isSecret(reference)) keys.add(topKey(reference.at));
      }
      if (keys.size > 0) this.#keys.set(name, keys);
    }
  }

  /** The top-level property keys of `name` that hold a secret. */
  keys(name: string): string[] {
    return [...(this.#keys.get(name) ?? [])];
  }

  /** Whether a reference reads a secret: a secret (or tainted) property or a secret output. */
  isSecret(reference: Pick<Reference, "target" | "path">): boolean {
    const target = this.#graph.nodes.get(reference.target);
    const head = reference.path[0];
    if (!target || typeof head !== "string") return false;
    if (this.#keys.get(reference.target)?.has(head)) return true;
    const info = this.#infoOf(target.resource.type);
    return (info?.secretOutputs ?? []).includes(head) || (info?.secretProperties ?? []).includes(head);
  }

  /** The references inside a value (a check, say) that read a secret. */
  secretReferences(value: unknown): Reference[] {
    return findReferences(value).references.filter((reference) => this.isSecret(reference));
  }
}

/** `properties.description` → `description`; `properties.servers[0].host` → `servers`. */
function topKey(at: string): string {
  const rest = at.startsWith("properties.") ? at.slice("properties.".length) : at;
  return /^[^.[]*/.exec(rest)![0];
}
