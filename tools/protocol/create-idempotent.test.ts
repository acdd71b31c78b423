import { describe, expect, it } from "vitest";
import { createResourceProvider, type ListedResource } from "./index.ts";

/** A slow platform with name labels, as Docker's or OPNsense's would be. */
function labelledProvider() {
  const store = new Map<string, ListedResource>();
  let next = 0;
  const provider = createResourceProvider({
    name: "plat",
    version: "1.0.0",
    types: [
      {
        type: "plat:thing:item",
        description: "a thing",
        properties: { type: "object", properties: { size: { type: "integer" } } },
        outputs: { type: "object" },
        replaceOnChange: ["size"],
        async create(properties, context) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          const id = `item-${++next}`;
          store.set(id, {
            id,
            type: "plat:thing:item",
            name: context.name,
            deploymentId: context.deploymentId,
            properties,
            outputs: {},
          });
          return { id, outputs: {} };
        },
        async read(id) {
          const found = store.get(id);
          return found ? { properties: found.properties, outputs: found.outputs } : null;
        },
        async delete(id) {
          store.delete(id);
        },
      },
    ],
    async list(filter) {
      return [...store.values()].filter(
        (entry) => !filter.deploymentId || entry.deploymentId === filter.deploymentId,
      );
    },
  });
  return { tools: provider.tools, store };
}

const create = (extra: object = {}) => ({
  name: "a",
  type: "plat:thing:item",
  action: "create" as const,
  after: { size: 2 },
  diff: [],
  ...extra,
});

describe("creates stay idempotent, and a create-before-destroy leaves the old one alone", () => {
  it("joins a second send of the same operationId while the first is in flight: one resource", async () => {
    const { tools, store } = labelledProvider();
    const sent = create({ operationId: "op-1" });
    const [first, second] = await Promise.all([
      tools.applyDeployment({ deploymentId: "d", changes: [sent] }),
      tools.applyDeployment({ deploymentId: "d", changes: [sent] }),
    ]);
    expect(store.size).toBe(1);
    expect(first.results[0]?.id).toBe(second.results[0]?.id);
  });

  it("adopts a resource of that name left by a lost answer, but not the one a create names as replaced", async () => {
    const { tools, store } = labelledProvider();
    const old = (
      await tools.applyDeployment({ deploymentId: "d", changes: [create({ after: { size: 1 } })] })
    ).results[0]!;
    const beside = await tools.applyDeployment({ deploymentId: "d", changes: [create({ id: old.id })] });
    expect(store.size).toBe(2);
    expect(store.has(old.id!)).toBe(true);
    expect(beside.results[0]?.id).not.toBe(old.id);
  });
});
