import { describe, expect, it } from "vitest";
import { createResourceProvider, type ListedResource, type ResourceTypeHandler } from "./index.ts";
import { TypeRegistry } from "./type-registry.ts";

function itemHandler(type: string, store: Map<string, ListedResource>): ResourceTypeHandler {
  return {
    type,
    description: `an item of kind ${type.split(":").at(-1)}`,
    properties: {
      type: "object",
      properties: { size: { type: "integer" } },
      additionalProperties: false,
    },
    outputs: { type: "object", properties: {} },
    async create(properties, context) {
      const id = `${type}/${context.name}`;
      store.set(id, {
        id,
        type,
        name: context.name,
        deploymentId: context.deploymentId,
        properties,
        outputs: {},
      });
      return { id, outputs: { op: context.operationId ?? null } };
    },
    async read(id) {
      const found = store.get(id);
      return found ? { properties: found.properties, outputs: found.outputs } : null;
    },
    async delete(id) {
      store.delete(id);
    },
  };
}

/** A provider declaring `cluster:core:item`, building `cluster:<group>:<Kind>` on demand, as Kubernetes does. */
function clusterProvider(mountName?: string) {
  const store = new Map<string, ListedResource>();
  const resolved: string[] = [];
  const provider = createResourceProvider({
    name: "cluster",
    version: "1.0.0",
    types: [itemHandler("cluster:core:item", store)],
    ...(mountName ? { mountName } : {}),
    async resolveType(type) {
      resolved.push(type);
      return type.startsWith("cluster:extra:") ? itemHandler(type, store) : undefined;
    },
    async searchTypes(query) {
      return query.includes("queue") ? ["cluster:extra:Queue"] : [];
    },
    async list() {
      return [...store.values()];
    },
  });
  return { tools: provider.tools, store, resolved };
}

describe("createResourceProvider types: declared, on demand, and under a mount prefix", () => {
  it("describes declared types with no input, and others on demand by name or query", async () => {
    const { tools, resolved } = clusterProvider();
    expect((await tools.describeResourceTypes({})).types.map((info) => info.type)).toEqual([
      "cluster:core:item",
    ]);
    const named = await tools.describeResourceTypes({ types: ["cluster:extra:Widget"] });
    expect(named.types.map((info) => info.type)).toEqual(["cluster:extra:Widget"]);
    const searched = await tools.describeResourceTypes({ query: "queue" });
    expect(searched.types.map((info) => info.type)).toEqual(["cluster:extra:Queue"]);
    const byDescription = await tools.describeResourceTypes({ query: "kind item" });
    expect(byDescription.types.map((info) => info.type)).toEqual(["cluster:core:item"]);
    // Built once, then cached.
    await tools.describeResourceTypes({ types: ["cluster:extra:Widget"] });
    expect(resolved.filter((type) => type === "cluster:extra:Widget")).toHaveLength(1);
  });

  it("answers a describe of a type it does not serve with UNSUPPORTED naming it", async () => {
    const { tools } = clusterProvider();
    await expect(tools.describeResourceTypes({ types: ["cluster:nope:Thing"] })).rejects.toMatchObject({
      code: "UNSUPPORTED",
      message: expect.stringContaining("cluster:nope:Thing"),
    });
  });

  it("never plans a foreign type as a create: planDeployment fails UNSUPPORTED, validateConfig names the type", async () => {
    const { tools } = clusterProvider();
    const resources = [{ type: "other:thing:item", name: "x", properties: {} }];
    await expect(tools.planDeployment({ deploymentId: "d", resources, current: [] })).rejects.toMatchObject({
      code: "UNSUPPORTED",
      message: expect.stringContaining("other:thing:item"),
    });
    const validation = await tools.validateConfig({ resources });
    expect(validation.valid).toBe(false);
    expect(validation.issues[0]).toMatchObject({ resource: "x", path: "type", severity: "error" });
    expect(validation.issues[0]?.message).toContain("other:thing:item");
  });

  it("validates and plans an on-demand type against its own schema", async () => {
    const { tools } = clusterProvider();
    const bad = await tools.validateConfig({
      resources: [{ type: "cluster:extra:Widget", name: "w", properties: { colour: "red" } }],
    });
    expect(bad.issues.map((issue) => issue.path)).toEqual(["properties.colour"]);
    const plan = await tools.planDeployment({
      deploymentId: "d",
      resources: [{ type: "cluster:extra:Widget", name: "w", properties: { size: 1 } }],
      current: [],
    });
    expect(plan.changes.map((change) => [change.type, change.action])).toEqual([
      ["cluster:extra:Widget", "create"],
    ]);
  });

  it("checks an on-demand type's schema against the meta-schema before validating with it", async () => {
    const registry = new TypeRegistry({
      name: "cluster",
      types: [],
      async resolveType(type) {
        const handler = itemHandler(type, new Map());
        // A CRD's schema from a cluster can be wrong; `type: "integr"` is no JSON Schema type.
        return { ...handler, properties: { type: "object", properties: { size: { type: "integr" } } } };
      },
    });
    const entry = await registry.require("cluster:extra:Broken");
    expect(() => entry.validate).toThrow(/schema is invalid: .*type/);
  });

  it("serves its types under the mount prefix and translates at every tool", async () => {
    const { tools, store } = clusterProvider("prod");
    expect((await tools.describeResourceTypes({})).types.map((info) => info.type)).toEqual([
      "prod:core:item",
    ]);
    const resources = [{ type: "prod:core:item", name: "a", properties: { size: 2 } }];
    const plan = await tools.planDeployment({ deploymentId: "d", resources, current: [] });
    expect(plan.changes[0]).toMatchObject({ type: "prod:core:item", action: "create" });
    const applied = await tools.applyDeployment({
      deploymentId: "d",
      changes: plan.changes.map((change) => ({ ...change, operationId: "op-1" })),
    });
    expect(applied.results[0]).toMatchObject({
      status: "succeeded",
      id: "cluster:core:item/a",
      outputs: { op: "op-1" },
    });
    // The handler saw its canonical type; the client sees the mounted one.
    expect([...store.values()][0]?.type).toBe("cluster:core:item");
    const listed = await tools.listResources({ filter: { type: "prod:core:item", deploymentId: "d" } });
    expect(listed.resources.map((entry) => entry.type)).toEqual(["prod:core:item"]);
    const read = await tools.getResource({ type: "prod:core:item", id: "cluster:core:item/a" });
    expect(read.properties).toEqual({ size: 2 });
    await expect(
      tools.planDeployment({
        deploymentId: "d",
        resources: [{ ...resources[0]!, type: "kubernetes:core:item" }],
        current: [],
      }),
    ).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });
});
