import { afterEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../events.ts";
import { applyDeployment, destroyDeployment } from "../operations.ts";
import { deploymentFromObject } from "./spec.ts";
import { type EngineRig, engineRig, worldOf } from "./test-gateway.ts";

let rig: EngineRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const FAST_RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 };
const TIMEOUT_MS = 300;

/** A VPC and a subnet on aws, and `dnsCount` DNS overrides on opnsense. */
function shop(dnsCount: number) {
  return deploymentFromObject(
    {
      name: "shop",
      resources: [
        { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.40.0.0/16" } },
        {
          type: "aws:vpc:subnet",
          name: "subnet",
          properties: { vpc: "${vpc.id}", cidrBlock: "10.40.1.0/24", availabilityZone: "us-east-1a" },
        },
        ...Array.from({ length: dnsCount }, (_, index) => ({
          type: "opnsense:service:dns:override",
          name: `dns${index}`,
          properties: { host: `shop${index}`, domain: "lab.lan", ip: `10.40.1.${index + 10}` },
        })),
      ],
    },
    "test",
  );
}

const workspace = (target: EngineRig, emit: (event: RunEvent) => void = target.emit) => ({
  gateway: target.gateway,
  state: target.state,
  emit,
});

/** What state holds for the deployment equals what the mock worlds hold: names and ids. */
async function expectStateEqualsWorld(target: EngineRig) {
  const state = await target.state.read("shop");
  const held = Object.values(state?.resources ?? {}).map((record) => `${record.name}=${record.id}`);
  const world = worldOf(target, "shop").map((resource) => `${resource.name}=${resource.id}`);
  expect(held.sort()).toEqual(world.sort());
}

const finished = (events: RunEvent[], type: "apply.finished" | "destroy.finished") =>
  events.find((event): event is Extract<RunEvent, { type: typeof type }> => event.type === type);

describe("a run's signal", () => {
  it("cancels an apply: nothing new starts, what ran is recorded, outcome cancelled", async () => {
    rig = await engineRig();
    const controller = new AbortController();
    const target = rig;
    const output = await applyDeployment(
      workspace(target, (event) => {
        target.emit(event);
        if (event.type === "change.succeeded") controller.abort();
      }),
      shop(1),
      { approve: async () => true, parallelism: 1, retry: FAST_RETRY, signal: controller.signal },
    );
    const report = output.report!;
    expect(report.outcome).toBe("cancelled");
    expect(report.results.filter((result) => result.status === "succeeded")).toHaveLength(1);
    expect(report.results.filter((result) => result.status === "skipped")).toHaveLength(2);
    expect(report.rollback).toBeUndefined();
    const state = await rig.state.read("shop");
    expect(state?.pending).toEqual({});
    expect(state?.lastRun?.outcome).toBe("cancelled");
    await expectStateEqualsWorld(rig);
  });
});

describe("destroy", () => {
  it("reports its own start and end, not apply's", async () => {
    rig = await engineRig();
    await applyDeployment(workspace(rig), shop(2), { approve: async () => true, retry: FAST_RETRY });
    rig.events.length = 0;
    const result = await destroyDeployment(workspace(rig), "shop", { approve: async () => true });
    expect(result.outcome).toBe("succeeded");
    const kinds = rig.events.map((event) => event.type);
    expect(kinds).toContain("destroy.started");
    expect(finished(rig.events, "destroy.finished")).toMatchObject({ outcome: "succeeded", succeeded: 4 });
    expect(kinds.filter((kind) => kind.startsWith("apply."))).toEqual([]);
    expect(worldOf(rig, "shop")).toEqual([]);
  });
});

describe("a provider that hangs costs a bounded time, not attempts × changes × timeout", () => {
  it("apply: stops sending to the hung server, rolls back on the live one, within 5 × timeoutMs", async () => {
    // Every create on opnsense hangs; its listings still answer (a live process, a stuck platform).
    rig = await engineRig({ env: { opnsense: { MOCK_HANG: JSON.stringify([{ match: "*" }]) } } });
    const output = await applyDeployment(workspace(rig), shop(30), {
      approve: async () => true,
      retry: FAST_RETRY,
      callTimeoutMs: TIMEOUT_MS,
      parallelism: 10,
    });
    const report = output.report!;
    expect(report.outcome).toBe("rolled-back");
    // The engine's own bound: call, probe, one retry for what was in flight, then nothing more.
    expect(finished(rig.events, "apply.finished")!.durationMs).toBeLessThan(5 * TIMEOUT_MS);
    const applies = rig.calls.filter((call) => call.server === "opnsense" && call.tool === "applyDeployment");
    expect(applies.length).toBeLessThanOrEqual(2 * 10);
    await expectStateEqualsWorld(rig);
  });

  it("destroy: deletes what the live servers hold, gives up on the hung one within 5 × timeoutMs", async () => {
    rig = await engineRig();
    await applyDeployment(workspace(rig), shop(30), { approve: async () => true, retry: FAST_RETRY });
    rig.intercept = (call) =>
      call.server === "opnsense" && call.tool === "destroyDeployment" ? "hang" : undefined;
    rig.events.length = 0;
    const result = await destroyDeployment(workspace(rig), "shop", {
      approve: async () => true,
      retry: FAST_RETRY,
      callTimeoutMs: TIMEOUT_MS,
    });
    expect(result.outcome).toBe("failed");
    expect(finished(rig.events, "destroy.finished")!.durationMs).toBeLessThan(5 * TIMEOUT_MS);
    const deletes = rig.calls.filter(
      (call) => call.server === "opnsense" && call.tool === "destroyDeployment",
    );
    expect(deletes.length).toBeLessThanOrEqual(2 * 10);
    expect(worldOf(rig, "shop").every((resource) => resource.type.startsWith("opnsense:"))).toBe(true);
    await expectStateEqualsWorld(rig);
  });
});
