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
    rig.intercept = (call) =>
      call.server === "opnsense" &&
      call.tool !== "describeResourceTypes" &&
      call.tool !== "validateConfig" &&
      call.tool !== "planDeployment"
        ? "hang"
        : undefined;
    const started = performance.now();
    const output = await apply(rig);
    const elapsed = performance.now() - started;
    const report = output.report!;
    expect(report.results.find((result) => result.name === "dns")).toMatchObject({
      status: "failed",
      attempts: 1,
    });
    // One apply, one probe: nothing retried into a server that stopped answering.
    const toOpnsense = rig.calls.filter(
      (call) =>
        call.server === "opnsense" &&
        call.tool !== "describeResourceTypes" &&
        call.tool !== "validateConfig" &&
        call.tool !== "planDeployment",
    );
    expect(toOpnsense.map((call) => call.tool)).toEqual(["applyDeployment", "listResources"]);
    // Bounded: the rest rolled back on the live server; generous against a loaded machine.
    expect(elapsed).toBeLessThan(30_000);
    const state = await rig.state.read("shop");
    const pending = Object.values(state?.pending ?? {});
    expect(pending.map((op) => op.name)).toEqual(["dns"]);
    expect(pending[0]?.operationId).toBe(sentChange(applies(rig.calls, "dns")[0]!).operationId);
  });
});
