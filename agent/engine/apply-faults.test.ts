import { afterEach, describe, expect, it } from "vitest";
import { applyDeployment } from "../operations.ts";
import { deploymentFromObject } from "./spec.ts";
import { type EngineRig, engineRig, type TestCall, worldOf } from "./test-gateway.ts";

let rig: EngineRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const SPEC = deploymentFromObject(
  {
    name: "shop",
    resources: [
      { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.40.0.0/16" } },
      {
        type: "aws:vpc:subnet",
        name: "subnet",
        properties: { vpc: "${vpc.id}", cidrBlock: "10.40.1.0/24", availabilityZone: "us-east-1a" },
      },
      {
        type: "opnsense:service:dns:override",
        name: "dns",
        properties: { host: "shop", domain: "lab.lan", ip: "10.40.1.10" },
      },
    ],
  },
  "test",
);

const FAST_RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 };

const applies = (calls: TestCall[], name: string) =>
  calls.filter(
    (call) =>
      call.tool === "applyDeployment" &&
      (call.input["changes"] as { name: string }[]).some((change) => change.name === name),
  );
const sentChange = (call: TestCall) =>
  (call.input["changes"] as { name: string; operationId?: string }[])[0]!;

function apply(
  target: EngineRig,
  request: Parameters<typeof applyDeployment>[2] = { approve: async () => true },
) {
  return applyDeployment({ gateway: target.gateway, state: target.state, emit: target.emit }, SPEC, {
    retry: FAST_RETRY,
    callTimeoutMs: 300,
    ...request,
  });
}

describe("apply when a provider's answer is lost", () => {
  it("adopts a create the provider made before its answer was lost, instead of sending it again", async () => {
    rig = await engineRig();
    let lost = false;
    rig.intercept = (call) => {
      if (!lost && call.tool === "applyDeployment" && sentChange(call).name === "subnet") {
        lost = true;
        return "lose-answer";
      }
      return undefined;
    };
    const output = await apply(rig);
    expect(output.report?.outcome).toBe("succeeded");
    expect(applies(rig.calls, "subnet")).toHaveLength(1);
    const subnets = worldOf(rig, "shop").filter((resource) => resource.name === "subnet");
    expect(subnets).toHaveLength(1);
    const state = await rig.state.read("shop");
    expect(state?.resources["subnet"]?.id).toBe(subnets[0]!.id);
    expect(state?.pending).toEqual({});
    expect(rig.events.some((event) => event.type === "notice" && /adopted/.test(event.message))).toBe(true);
  });

  it("sends one operationId with every attempt of a change, and a new one for each change", async () => {
    rig = await engineRig({
      env: {
        aws: {
          MOCK_FAULTS: JSON.stringify([{ match: "vpc", op: "create", attempts: [1, 2], code: "THROTTLED" }]),
        },
      },
    });
    const output = await apply(rig);
    expect(output.report?.outcome).toBe("succeeded");
    const vpcIds = applies(rig.calls, "vpc").map((call) => sentChange(call).operationId);
    expect(vpcIds).toHaveLength(3);
    expect(new Set(vpcIds).size).toBe(1);
    expect(vpcIds[0]).toMatch(/\S{8,}/);
    expect(sentChange(applies(rig.calls, "subnet")[0]!).operationId).not.toBe(vpcIds[0]);
  });

  it("sends a create an interrupted run left open with its recorded operationId", async () => {
    rig = await engineRig();
    const first = await rig.state.open("shop", { command: "apply" });
    await first.beginOperation({
      runId: "crashed-run",
      name: "dns",
      type: "opnsense:service:dns:override",
      server: "opnsense",
      action: "create",
      operationId: "op-from-crashed-run",
    });
    // As after kill -9: the writer never settles or closes; its lock is broken.
    await rig.state.forceUnlock("shop");
    const output = await apply(rig);
    expect(output.report?.outcome).toBe("succeeded");
    expect(applies(rig.calls, "dns").map((call) => sentChange(call).operationId)).toEqual([
      "op-from-crashed-run",
    ]);
    expect(applies(rig.calls, "vpc").map((call) => sentChange(call).operationId)).not.toContain(
      "op-from-crashed-run",
    );
  });
});

describe("apply when a provider hangs", () => {
  it("stops sending to a server that timed out and fails its probe, and leaves the operation pending with its key", async () => {
    rig = await engineRig();
    // The server answers its listing, then hangs on the create and on everything after it.
    let hung = false;
    rig.intercept = (call) => {
      if (call.server !== "opnsense") return undefined;
      if (call.tool === "applyDeployment") hung = true;
      return hung ? "hang" : undefined;
    };
    const output = await apply(rig);
    const report = output.report!;
    expect(report.results.find((result) => result.name === "dns")).toMatchObject({
      status: "failed",
      attempts: 1,
    });
    // One listing, one apply, one probe: nothing retried into a server that stopped answering, and
    // nothing more sent to it (the rollback of the rest ran on the live server). The run's length is
    // bounded by these calls' timeouts, whatever the number of changes.
    const toOpnsense = rig.calls.filter(
      (call) =>
        call.server === "opnsense" && (call.tool === "applyDeployment" || call.tool === "listResources"),
    );
    expect(toOpnsense.map((call) => call.tool)).toEqual([
      "listResources",
      "applyDeployment",
      "listResources",
    ]);
    expect(output.report?.rollback?.ok).toBe(true);
    const state = await rig.state.read("shop");
    const pending = Object.values(state?.pending ?? {});
    expect(pending.map((op) => op.name)).toEqual(["dns"]);
    expect(pending[0]?.operationId).toBe(sentChange(applies(rig.calls, "dns")[0]!).operationId);
  });
});

describe("apply when state lost a record", () => {
  it("adopts what the provider lists as ours under that name instead of creating a duplicate", async () => {
    rig = await engineRig();
    // As if the state record of two resources were lost: the provider has them, state does not.
    for (const [name, cidrBlock] of [
      ["vpc", "10.40.0.0/16"],
      ["other", "10.41.0.0/16"],
    ] as const) {
      await rig.gateway.call("aws", "applyDeployment", {
        deploymentId: "shop",
        changes: [{ name, type: "aws:vpc:vpc", action: "create", diff: [], after: { cidrBlock } }],
      });
    }
    const before = worldOf(rig, "shop").find((resource) => resource.name === "vpc")!;
    rig.calls.length = 0;
    const output = await apply(rig);
    expect(output.report?.outcome).toBe("succeeded");
    expect(applies(rig.calls, "vpc")).toEqual([]);
    expect((await rig.state.read("shop"))?.resources["vpc"]?.id).toBe(before.id);
    expect(worldOf(rig, "shop").filter((resource) => resource.name === "vpc")).toHaveLength(1);
    // One listing per server, not one per create.
    expect(rig.calls.filter((call) => call.tool === "listResources" && call.server === "aws")).toHaveLength(
      1,
    );
  });
});
