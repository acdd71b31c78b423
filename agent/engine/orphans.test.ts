import { afterEach, describe, expect, it } from "vitest";
import { applyDeployment, refreshDeployment, type Workspace } from "../operations.ts";
import { deploymentFromObject } from "./spec.ts";
import { type EngineRig, engineRig, worldOf } from "./test-gateway.ts";

let rig: EngineRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const vpc = (name: string, cidrBlock: string) => ({ type: "aws:vpc:vpc", name, properties: { cidrBlock } });
const SPEC = deploymentFromObject({ name: "shop", resources: [vpc("vpc", "10.50.0.0/16")] }, "test");

/** A create state never heard of: as a create whose record was lost, or a duplicate from a retry. */
async function strayCreate(workspace: Workspace, name: string, cidrBlock: string): Promise<string> {
  const envelope = await workspace.gateway.call("aws", "applyDeployment", {
    deploymentId: "shop",
    changes: [{ name, type: "aws:vpc:vpc", action: "create", diff: [], after: { cidrBlock } }],
  });
  return envelope.data!.results[0]!.id!;
}

describe("refresh and orphans", () => {
  it("reports what a provider lists for the deployment and state lacks, then adopts or deletes it on request", async () => {
    rig = await engineRig();
    const workspace = { gateway: rig.gateway, state: rig.state, emit: rig.emit };
    await applyDeployment(workspace, SPEC, { approve: async () => true });
    const lost = await strayCreate(workspace, "lost", "10.51.0.0/16");
    // A duplicate of "vpc", as four creates for one resource left behind before operationId.
    const world = rig.providers.get("aws")!.world;
    const original = world.list({ deploymentId: "shop" }).find((resource) => resource.name === "vpc")!;
    const duplicate = "vpc-duplicate0001";
    world.put({ ...original, id: duplicate, outputs: { ...original.outputs, id: duplicate } });

    const reported = await refreshDeployment(workspace, "shop");
    expect(reported.orphans?.map((orphan) => [orphan.name, orphan.id, orphan.outcome]).sort()).toEqual(
      [
        ["lost", lost, "reported"],
        ["vpc", duplicate, "reported"],
      ].sort(),
    );
    expect(rig.events.some((event) => event.type === "notice" && /--adopt-orphans/.test(event.message))).toBe(
      true,
    );

    const adopted = await refreshDeployment(workspace, "shop", { orphans: "adopt" });
    const outcome = Object.fromEntries((adopted.orphans ?? []).map((orphan) => [orphan.id, orphan.outcome]));
    // A second "vpc" is a duplicate: state already holds that name, so it is not adopted over it.
    expect(outcome).toEqual({ [lost]: "adopted", [duplicate]: "failed" });
    expect((await rig.state.read("shop"))?.resources["lost"]?.id).toBe(lost);

    const deleted = await refreshDeployment(workspace, "shop", { orphans: "delete" });
    expect(deleted.orphans?.map((orphan) => [orphan.id, orphan.outcome])).toEqual([[duplicate, "deleted"]]);
    expect(
      worldOf(rig, "shop")
        .map((resource) => resource.id)
        .sort(),
    ).toEqual([lost, (await rig.state.read("shop"))!.resources["vpc"]!.id].sort());
  });
});
