import { describe, expect, it } from "vitest";
import type { ProviderErrorBody } from "../../tools/protocol/index.ts";
import { executeGraph, withRetries } from "./executor.ts";
import type { ScheduleNode } from "./scheduler.ts";
import { ServerHealth } from "./server-health.ts";

const node = (id: string, deps: string[] = [], server = "s"): ScheduleNode => ({ id, deps, server });
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/** Records the order work starts in; `failing` ids resolve false. */
function recorder(failing: string[] = []) {
  const started: string[] = [];
  const work = async (taken: ScheduleNode) => {
    started.push(taken.id);
    await tick();
    return !failing.includes(taken.id);
  };
  return { started, work };
}

describe("executeGraph", () => {
  it("starts a node only after its dependencies, the longest remaining path first", async () => {
    const { started, work } = recorder();
    const nodes = [node("leaf"), node("a"), node("b", ["a"]), node("c", ["b"])];
    const outcome = await executeGraph(nodes, work, { parallelism: 1, onFailure: "halt" });
    expect(started).toEqual(["a", "b", "c", "leaf"]);
    expect(outcome).toEqual({ failed: false, cancelled: false, notStarted: [] });
  });

  it("holds the global and per-server limits", async () => {
    let running = 0;
    let peak = 0;
    let peakOnX = 0;
    let onX = 0;
    const nodes = Array.from({ length: 12 }, (_, index) => node(`n${index}`, [], index % 2 ? "x" : "y"));
    await executeGraph(
      nodes,
      async (taken) => {
        running++;
        if (taken.server === "x") onX++;
        peak = Math.max(peak, running);
        peakOnX = Math.max(peakOnX, onX);
        await tick();
        running--;
        if (taken.server === "x") onX--;
        return true;
      },
      { parallelism: 4, perServer: { x: 1 }, onFailure: "halt" },
    );
    expect(peak).toBe(4);
    expect(peakOnX).toBe(1);
  });

  it("a work that throws ends the run with that error, once what is running has settled", async () => {
    const started: string[] = [];
    let settledAfterThrow = false;
    const nodes = [node("boom"), node("slow"), node("after", ["boom"]), node("later", ["slow"])];
    const run = executeGraph(
      nodes,
      async (taken) => {
        started.push(taken.id);
        if (taken.id === "boom") throw new Error("provider gateway exploded");
        await tick();
        await tick();
        settledAfterThrow = true;
        return true;
      },
      { parallelism: 2, onFailure: "continue" },
    );
    await expect(run).rejects.toThrow("provider gateway exploded");
    expect(settledAfterThrow).toBe(true);
    expect(started.sort()).toEqual(["boom", "slow"]);
  });

  it("halt: a failure skips its dependents and starts nothing new", async () => {
    const { started, work } = recorder(["a"]);
    const skipped: string[] = [];
    const nodes = [node("a"), node("b", ["a"]), node("c", ["b"]), node("d")];
    const outcome = await executeGraph(nodes, work, {
      parallelism: 1,
      onFailure: "halt",
      onSkipped: (id, cause) => skipped.push(`${id}<${cause}`),
    });
    expect(started).toEqual(["a"]);
    expect(skipped).toEqual(["b<a", "c<a"]);
    expect(outcome).toEqual({ failed: true, cancelled: false, notStarted: ["d"] });
  });

  it("skip-dependents: a failure skips what depends on it, the rest goes on", async () => {
    const { started, work } = recorder(["a"]);
    const nodes = [node("a"), node("b", ["a"]), node("d")];
    const outcome = await executeGraph(nodes, work, { parallelism: 1, onFailure: "skip-dependents" });
    expect(started.sort()).toEqual(["a", "d"]);
    expect(outcome.failed).toBe(true);
    expect(outcome.notStarted).toEqual([]);
  });

  it("continue: a failure holds nothing back", async () => {
    const { started, work } = recorder(["a"]);
    const outcome = await executeGraph([node("a"), node("b", ["a"])], work, {
      parallelism: 1,
      onFailure: "continue",
    });
    expect(started).toEqual(["a", "b"]);
    expect(outcome.failed).toBe(true);
  });

  it("once aborted starts nothing new, lets what runs finish, and says cancelled", async () => {
    const controller = new AbortController();
    const finished: string[] = [];
    const nodes = [node("a"), node("b"), node("c", ["a"]), node("d", ["c"])];
    const outcome = await executeGraph(
      nodes,
      async (taken) => {
        if (taken.id === "a") controller.abort();
        await tick();
        finished.push(taken.id);
        return true;
      },
      { parallelism: 2, onFailure: "halt", signal: controller.signal },
    );
    expect(finished.sort()).toEqual(["a", "b"]);
    expect(outcome).toEqual({ failed: false, cancelled: true, notStarted: ["c", "d"] });
  });
});

const error = (code: ProviderErrorBody["code"], retryable: boolean, reason?: string): ProviderErrorBody => ({
  code,
  message: code,
  retryable,
  ...(reason ? { details: { reason } } : {}),
});
const POLICY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 1 };

describe("withRetries", () => {
  it("retries a retryable error with backoff until it succeeds", async () => {
    const retries: number[] = [];
    const outcome = await withRetries(
      async (count) => (count < 3 ? { error: error("THROTTLED", true) } : { result: "done" }),
      {
        policy: POLICY,
        server: "s",
        health: new ServerHealth(),
        onRetry: (attempt) => retries.push(attempt),
      },
    );
    expect(outcome).toEqual({ result: "done", attempts: 3 });
    expect(retries).toEqual([1, 2]);
  });

  it("never retries into a server that is down, and marks a broken one down", async () => {
    const health = new ServerHealth();
    const outcome = await withRetries(async () => ({ error: error("UNAVAILABLE", true, "start-failed") }), {
      policy: POLICY,
      server: "s",
      health,
    });
    expect(outcome.attempts).toBe(1);
    expect(health.down("s")).toBeDefined();
  });

  it("retries a hang once, then holds the server down for the rest of the run", async () => {
    const health = new ServerHealth();
    const outcome = await withRetries(async () => ({ error: error("TIMEOUT", true, "timeout") }), {
      policy: POLICY,
      server: "s",
      health,
    });
    expect(outcome.attempts).toBe(2);
    expect(health.down("s")).toMatch(/twice/);
  });

  it("takes a result its recover hook finds (an answer lost, the work done)", async () => {
    const outcome = await withRetries<string>(async () => ({ error: error("TIMEOUT", true, "timeout") }), {
      policy: POLICY,
      server: "s",
      health: new ServerHealth(),
      recover: async () => "adopted",
    });
    expect(outcome).toEqual({ result: "adopted", attempts: 1 });
  });
});
