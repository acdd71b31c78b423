import type { ResourceTypeInfo } from "../../tools/protocol/index.ts";
import type { ProviderGateway } from "./gateway.ts";

export interface TypeEntry {
  server: string;
  info: ResourceTypeInfo;
}

/** Which server serves each type, and its schema; each server is described once. */
export class TypeCatalog {
  readonly #gateway: ProviderGateway;
  readonly #described = new Map<string, Promise<Map<string, ResourceTypeInfo>>>();
  readonly #routes = new Map<string, { server?: string; error?: string }>();

  constructor(gateway: ProviderGateway) {
    this.#gateway = gateway;
  }

  #describe(server: string): Promise<Map<string, ResourceTypeInfo>> {
    let described = this.#described.get(server);
    if (!described) {
      described = this.#gateway
        .describe(server)
        .then((data) => new Map(data.types.map((info) => [info.type, info] as const)));
      this.#described.set(server, described);
    }
    return described;
  }

  /** Resolves the given types; failures are remembered and reported by `entry`. */
  async load(types: Iterable<string>): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const type of new Set(types)) {
      if (this.#routes.has(type)) continue;
      const route: { server?: string; error?: string } = {};
      this.#routes.set(type, route);
      pending.push(
        (async () => {
          try {
            const server = await this.#gateway.serverFor(type);
            route.server = server;
            const described = await this.#describe(server);
            if (!described.has(type)) {
              // A server may describe a type on demand (any manifest kind, any CloudFormation type).
              // One that cannot leaves the type unknown, reported as before.
              const asked = await (async () =>
                this.#gateway.call(server, "describeResourceTypes", { types: [type] }))().catch(
                () => undefined,
              );
              if (asked?.success && asked.data)
                for (const info of asked.data.types) described.set(info.type, info);
            }
          } catch (error) {
            route.error = error instanceof Error ? error.message : String(error);
          }
        })(),
      );
    }
    await Promise.all(pending);
  }

  /** The server and schema of a loaded type, or undefined when no server describes it. */
  async entry(type: string): Promise<TypeEntry | undefined> {
    const route = this.#routes.get(type);
    if (!route?.server) return undefined;
    const info = (await this.#describe(route.server)).get(type);
    return info ? { server: route.server, info } : undefined;
  }

  routeError(type: string): string | undefined {
    return this.#routes.get(type)?.error;
  }

  /** Every type the described servers offer, for hints. */
  async knownTypes(): Promise<string[]> {
    const all: string[] = [];
    for (const described of this.#described.values()) {
      try {
        all.push(...(await described).keys());
      } catch {
        // a server that failed to describe itself offers nothing
      }
    }
    return all;
  }

  /** Synchronous view for code that runs after `load` (graph building). */
  async snapshot(): Promise<Map<string, TypeEntry>> {
    const out = new Map<string, TypeEntry>();
    for (const type of this.#routes.keys()) {
      const entry = await this.entry(type);
      if (entry) out.set(type, entry);
    }
    return out;
  }
}
