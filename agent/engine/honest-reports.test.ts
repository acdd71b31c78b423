import { afterEach, describe, expect, it } from "vitest";
import { applyDeployment, destroyDeployment, planOnly } from "../operations.ts";
import { deploymentFromObject } from "./spec.ts";
import { type EngineRig, engineRig, worldOf } from "./test-gateway.ts";

let rig: EngineRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const SPEC = deploymentFromObject(
  {
    name: "shop",
    resources: [
      { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.70.0.0/16" } },
      {
        type: "aws:vpc:subnet",
        name: "subnet",
        properties: { vpc: "${vpc.id}", cidrBlock: "10.70.1.0/24", availabilityZone: "us-east-1a" },
      },
    ],
  },
  "test",
);

const workspaceOf = (target: EngineRig) => ({
  gateway: target.gateway,
  state: target.state,
  emit: target.emit,
});

describe("honest reports", () => {
  it("rolls back a failed create the provider made anyway, and says so; lastRun matches", async () => {
    // The provider makes the subnet, then fails before answering.
    rig = await engineRig({
      env: { aws: { MOCK_CRASH: JSON.stringify({ match: "subnet", op: "create", when: "after" }) } },
    });
    const output = await applyDeployment(workspaceOf(rig), SPEC, { approve: async () => true });
    expect(output.report?.outcome).toBe("rolled-back");
    expect(output.report?.rollback?.steps.map((step) => [step.name, step.action, step.status])).toEqual([
      ["subnet", "delete", "succeeded"],
      ["vpc", "delete", "succeeded"],
    ]);
    expect(worldOf(rig, "shop")).toEqual([]);
    const state = await rig.state.read("shop");
    expect(state?.resources).toEqual({});
    expect(state?.lastRun?.outcome).toBe("rolled-back");
    expect(rig.events.some((event) => event.type === "notice" && /left .* behind/.test(event.message))).toBe(
      true,
    );
  });

  it("removes a deployment that destroy emptied from the list, keeping its history", async () => {
    rig = await engineRig();
    await applyDeployment(workspaceOf(rig), SPEC, { approve: async () => true });
    const result = await destroyDeployment(workspaceOf(rig), "shop", { approve: async () => true });
    expect(result.outcome).toBe("succeeded");
    expect(await rig.state.list()).toEqual([]);
    expect((await rig.state.history("shop")).at(-1)?.resources).toBe(0);
    // The name is free again.
    const again = await applyDeployment(workspaceOf(rig), SPEC, { approve: async () => true });
    expect(again.report?.outcome).toBe("succeeded");
  });

  it("plan --refresh and apply --refresh see drift through getResource, whatever the provider does with refresh", async () => {
    rig = await engineRig();
    await applyDeployment(workspaceOf(rig), SPEC, { approve: async () => true });
    // Changed outside mcp-iac, behind the provider's planDeployment.
    const world = rig.providers.get("aws")!.world;
    const subnet = world.list({ deploymentId: "shop" }).find((resource) => resource.name === "subnet")!;
    world.put({ ...subnet, properties: { ...subnet.properties, availabilityZone: "us-east-1b" } });
    // A provider that ignores options.refresh plans against state alone.
    const original = rig.gateway.call.bind(rig.gateway);
    rig.gateway.call = ((server: string, tool: string, input: Record<string, unknown>, options?: object) =>
      original(
        server as never,
        tool as never,
        (tool === "planDeployment" ? { ...input, options: {} } : input) as never,
        options,
      )) as typeof rig.gateway.call;
    const { plan } = await planOnly(workspaceOf(rig), SPEC, { refresh: true });
    expect(plan.changes.find((change) => change.name === "subnet")?.action).not.toBe("noop");
    expect(rig.events.some((event) => event.type === "drift" && event.name === "subnet")).toBe(true);
    const { plan: stale } = await planOnly(workspaceOf(rig), SPEC, { refresh: false });
    expect(stale.changes.find((change) => change.name === "subnet")?.action).toBe("noop");
    const applied = await applyDeployment(workspaceOf(rig), SPEC, {
      approve: async () => true,
      refresh: true,
    });
    expect(applied.report?.outcome).toBe("succeeded");
    const now = world.list({ deploymentId: "shop" }).find((resource) => resource.name === "subnet");
    expect(now?.properties["availabilityZone"]).toBe("us-east-1a");
  });
});
