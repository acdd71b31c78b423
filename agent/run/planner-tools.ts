import { callData } from "../engine/gateway.ts";
import type { PlannerTools } from "../planner/model-planner.ts";
import type { RunCatalog } from "./catalog.ts";
import type { RunContext } from "./context.ts";

/** The model's read-only look-ups: what exists (secrets redacted), type schemas, and memory. */
export function plannerTools(ctx: RunContext, catalog: RunCatalog): PlannerTools {
  const { gateway, services } = ctx;
  return {
    listResources: async (filter) => {
      const servers = filter.type ? [await gateway.serverFor(filter.type)] : services.servers;
      const listed = [];
      for (const server of servers) {
        const data = await callData(gateway, server, "listResources", {
          filter: filter.type ? { type: filter.type } : {},
        });
        listed.push(...data.resources.map(catalog.redactListed));
      }
      return listed;
    },
    getResource: async (type, id) =>
      catalog.redactListed(
        await callData(gateway, await gateway.serverFor(type), "getResource", { type, id }),
      ),
    describeResourceTypes: async ({ types, query }) => {
      // A query answers names and one-line descriptions; the model then asks for the schemas it needs.
      const owners = types
        ? await Promise.all(types.map(async (type) => [type, await gateway.serverFor(type)]))
        : [];
      const servers = types ? [...new Set(owners.map(([, server]) => server!))] : services.servers;
      const found = [];
      for (const server of servers) {
        const mine = owners.filter(([, owner]) => owner === server).map(([type]) => type!);
        const data = await callData(
          gateway,
          server,
          "describeResourceTypes",
          types ? { types: mine } : { query },
        );
        found.push(
          ...(types ? data.types : data.types.map(({ type, description }) => ({ type, description }))),
        );
      }
      return found;
    },
    searchMemory: async (query) =>
      (await services.memory.searchPatterns(query, { limit: 5 })).map((hit) => ({
        goal: hit.item.goal,
        score: hit.score,
        spec: hit.item.spec,
      })),
  };
}
