import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BinaryHeap,
  bottomLevels,
  type ScheduleNode,
  Scheduler,
  SchedulerError,
  type SchedulerLimits,
  topologicalOrder,
} from "./scheduler.ts";

const node = (id: string, deps: string[] = [], server = "s", weight?: number): ScheduleNode =>
  weight === undefined ? { id, deps, server } : { id, deps, server, weight };

const ids = (nodes: readonly ScheduleNode[]) => nodes.map((taken) => taken.id);

function thrownBy(action: () => unknown): SchedulerError {
  try {
    action();
  } catch (error) {
    if (SchedulerError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a SchedulerError");
}

describe("topologicalOrder", () => {
  it("puts every dependency before its dependents, stable in input order", () => {
    const nodes = [node("app", ["db", "net"]), node("db", ["net"]), node("net"), node("dns")];
    expect(topologicalOrder(nodes)).toEqual(["net", "dns", "db", "app"]);
  });

  it("names the nodes of a cycle", () => {
    const error = thrownBy(() =>
      topologicalOrder([node("a", ["c"]), node("b", ["a"]), node("c", ["b"]), node("d")]),
    );
    expect(error.code).toBe("CYCLE");
    expect(error.message).toContain("3 nodes (a, b, c)");
  });

  it("rejects a self-dependency, an unknown dependency and a duplicate id", () => {
    expect(thrownBy(() => topologicalOrder([node("a", ["a"])])).code).toBe("CYCLE");
    const unknown = thrownBy(() => topologicalOrder([node("a", ["ghost"])]));
    expect(unknown.code).toBe("UNKNOWN_DEPENDENCY");
    expect(unknown.message).toContain('"a" depends on "ghost"');
    expect(thrownBy(() => topologicalOrder([node("a"), node("a")])).code).toBe("DUPLICATE_NODE");
  });
});

describe("bottomLevels", () => {
  it("is the longest weighted path to a sink, counting the node itself", () => {
    const nodes = [
      node("a", [], "s", 2),
      node("b", ["a"], "s", 5),
      node("c", ["a"], "s", 1),
      node("d", ["c"], "s", 1),
    ];
    expect(Object.fromEntries(bottomLevels(nodes))).toEqual({ a: 7, b: 5, c: 2, d: 1 });
    expect(Object.fromEntries(bottomLevels(nodes, () => 1))).toEqual({ a: 3, b: 1, c: 2, d: 1 });
  });

  it("rejects a negative or non-finite weight", () => {
    expect(thrownBy(() => bottomLevels([node("a", [], "s", -1)])).code).toBe("BAD_WEIGHT");
    expect(thrownBy(() => bottomLevels([node("a", [], "s", Number.NaN)])).code).toBe("BAD_WEIGHT");
  });
});

describe("Scheduler", () => {
  it("starts a node as soon as its dependencies are done, without waiting for a wave", () => {
    const nodes = [
      node("root"),
      node("slow", ["root"], "s", 10),
      node("fast1", ["root"]),
      node("fast2", ["fast1"]),
      node("fast3", ["fast2"]),
    ];
    const scheduler = new Scheduler(nodes, { parallelism: 4 });
    expect(ids(scheduler.take())).toEqual(["root"]);
    scheduler.complete("root");
    expect(ids(scheduler.take())).toEqual(["slow", "fast1"]);
    scheduler.complete("fast1");
    // fast2 sits one level deeper than slow, which is still running.
    expect(ids(scheduler.take())).toEqual(["fast2"]);
    scheduler.complete("fast2");
    expect(ids(scheduler.take())).toEqual(["fast3"]);
    scheduler.complete("fast3");
    expect(scheduler.done).toBe(false);
    expect(scheduler.running).toBe(1);
    scheduler.complete("slow");
    expect(scheduler.done).toBe(true);
    expect(scheduler.take()).toEqual([]);
  });

  it("starts the longest remaining path first, then more dependents, then by id", () => {
    const nodes = [
      node("leaf-b"),
      node("leaf-a"),
      node("heavy", [], "s", 4),
      node("chain", []),
      node("chain2", ["chain"]),
      node("chain3", ["chain2"]),
      node("fan", []),
      node("fan-x", ["fan"]),
      node("fan-y", ["fan"]),
      node("fan-z", ["fan"]),
      node("pair", []),
      node("pair-x", ["pair"]),
    ];
    const scheduler = new Scheduler(nodes, { parallelism: 1 });
    const order: string[] = [];
    while (!scheduler.done) {
      const [next] = scheduler.take();
      if (!next) break;
      order.push(next.id);
      scheduler.complete(next.id);
    }
    // Bottom levels: heavy 4, chain 3, then fan, chain2 and pair at 2 (fan unlocks three dependents,
    // the others one, so id decides), then every remaining node at 1, by id.
    expect(order).toEqual([
      "heavy",
      "chain",
      "fan",
      "chain2",
      "pair",
      "chain3",
      "fan-x",
      "fan-y",
      "fan-z",
      "leaf-a",
      "leaf-b",
      "pair-x",
    ]);
  });

  it("with policy fifo starts nodes in the order they became ready", () => {
    const nodes = [node("a"), node("b", [], "s", 9), node("b2", ["b"]), node("a2", ["a"])];
    const scheduler = new Scheduler(nodes, { parallelism: 1 }, { policy: "fifo" });
    const order: string[] = [];
    for (let step = 0; step < nodes.length; step++) {
      const [next] = scheduler.take();
      order.push(next!.id);
      scheduler.complete(next!.id);
    }
    expect(order).toEqual(["a", "b", "a2", "b2"]);
  });

  it("lets a server at its limit hold back only its own nodes", () => {
    const nodes = [
      node("x1", [], "x", 9),
      node("x2", [], "x", 8),
      node("x3", [], "x", 7),
      node("y1", [], "y", 1),
      node("y2", [], "y", 1),
      node("z1", [], "z", 1),
    ];
    const limits: SchedulerLimits = { parallelism: 3, perServer: { x: 1 }, defaultPerServer: 2 };
    const scheduler = new Scheduler(nodes, limits);
    expect(ids(scheduler.take())).toEqual(["x1", "y1", "y2"]);
    expect(scheduler.take()).toEqual([]);
    scheduler.complete("y1");
    expect(ids(scheduler.take())).toEqual(["z1"]);
    scheduler.complete("x1");
    expect(ids(scheduler.take())).toEqual(["x2"]);
    scheduler.complete("y2");
    // A free global slot, but x is at its limit of 1.
    expect(scheduler.take()).toEqual([]);
    scheduler.complete("x2");
    expect(ids(scheduler.take())).toEqual(["x3"]);
  });

  it("fail() skips exactly the transitive dependents while independent work continues", () => {
    const nodes = [
      node("net"),
      node("db", ["net"]),
      node("app", ["db"]),
      node("web", ["app", "cache"]),
      node("cache"),
      node("dns"),
      node("cdn", ["dns"]),
    ];
    const scheduler = new Scheduler(nodes, { parallelism: 10 });
    expect(ids(scheduler.take()).sort()).toEqual(["cache", "dns", "net"]);
    scheduler.complete("net");
    expect(ids(scheduler.take())).toEqual(["db"]);
    expect(scheduler.fail("db").sort()).toEqual(["app", "web"]);
    expect(scheduler.skipped().sort()).toEqual(["app", "web"]);
    scheduler.complete("dns");
    expect(ids(scheduler.take())).toEqual(["cdn"]);
    scheduler.complete("cache");
    expect(scheduler.take()).toEqual([]);
    scheduler.complete("cdn");
    expect(scheduler.done).toBe(true);
    expect(scheduler.pending()).toEqual([]);
  });

  it("fail() reports only what it newly skipped when two failures share a dependent", () => {
    const scheduler = new Scheduler(
      [node("a"), node("b"), node("both", ["a", "b"]), node("after", ["both"])],
      {
        parallelism: 2,
      },
    );
    scheduler.take();
    expect(scheduler.fail("a").sort()).toEqual(["after", "both"]);
    expect(scheduler.fail("b")).toEqual([]);
    expect(scheduler.skipped().sort()).toEqual(["after", "both"]);
    expect(scheduler.done).toBe(true);
  });

  it("halt() stops new starts while running work finishes", () => {
    const nodes = [node("a"), node("b"), node("c"), node("d", ["a"])];
    const scheduler = new Scheduler(nodes, { parallelism: 2 });
    expect(ids(scheduler.take())).toEqual(["a", "b"]);
    scheduler.halt();
    expect(scheduler.isHalted).toBe(true);
    scheduler.complete("a");
    expect(scheduler.take()).toEqual([]);
    expect(scheduler.done).toBe(false);
    scheduler.complete("b");
    expect(scheduler.done).toBe(true);
    expect(scheduler.pending()).toEqual(["c", "d"]);
  });

  it("rejects reports about nodes that are not running, and bad limits", () => {
    const scheduler = new Scheduler([node("a"), node("b", ["a"])], { parallelism: 1 });
    expect(thrownBy(() => scheduler.complete("a")).code).toBe("BAD_STATE");
    scheduler.take();
    scheduler.complete("a");
    expect(thrownBy(() => scheduler.complete("a")).message).toContain('"a" is not running');
    expect(thrownBy(() => scheduler.fail("nope")).message).toContain('No node "nope"');
    expect(thrownBy(() => new Scheduler([], { parallelism: 0 })).code).toBe("BAD_LIMIT");
    expect(thrownBy(() => new Scheduler([], { parallelism: 2, perServer: { x: 1.5 } })).message).toContain(
      'server "x"',
    );
    const badPolicy = { policy: "random" } as unknown as { policy: "fifo" };
    expect(thrownBy(() => new Scheduler([], { parallelism: 1 }, badPolicy)).code).toBe("BAD_POLICY");
    expect(new Scheduler([], { parallelism: 1 }).done).toBe(true);
  });

  it("runs a 20,000-node chain and a 20,000-node fan without recursion limits", () => {
    const chain = Array.from({ length: 20_000 }, (_, index) =>
      node(`c${index}`, index ? [`c${index - 1}`] : []),
    );
    const fan = [node("root"), ...Array.from({ length: 20_000 }, (_, index) => node(`f${index}`, ["root"]))];
    for (const nodes of [chain, fan]) {
      const scheduler = new Scheduler(nodes, { parallelism: 50 });
      let completed = 0;
      while (!scheduler.done) {
        for (const taken of scheduler.take()) {
          scheduler.complete(taken.id);
          completed++;
        }
      }
      expect(completed).toBe(nodes.length);
    }
    const failing = new Scheduler(chain, { parallelism: 1 });
    failing.take();
    expect(failing.fail("c0")).toHaveLength(19_999);
  });
});

describe("BinaryHeap", () => {
  it("pops in order after pushes, updates and removals", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 60 }), fc.nat(), (values, cut) => {
        const boxes = values.map((value) => ({ value, at: -1 }));
        const heap = new BinaryHeap<{ value: number; at: number }>(
          (a, b) => a.value < b.value,
          (box, index) => {
            box.at = index;
          },
        );
        for (const box of boxes) heap.push(box);
        const removed = boxes.length > 0 ? boxes[cut % boxes.length]! : undefined;
        if (removed) heap.remove(removed.at);
        const changed = boxes.find((box) => box !== removed);
        if (changed) {
          changed.value = 25 - changed.value;
          heap.update(changed.at);
        }
        const popped: number[] = [];
        for (let box = heap.pop(); box; box = heap.pop()) popped.push(box.value);
        const expected = boxes.filter((box) => box !== removed).map((box) => box.value);
        expect(popped).toEqual(expected.sort((a, b) => a - b));
      }),
    );
  });
});

/** A random DAG: node i may depend only on nodes before it, so the graph is acyclic by construction. */
const dagArbitrary = fc.integer({ min: 1, max: 40 }).chain((size) =>
  fc
    .tuple(
      fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: size, maxLength: size }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: size, maxLength: size }),
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: size, maxLength: size }),
    )
    .map(([depPicks, servers, weights]) =>
      depPicks.map(
        (picks, index): ScheduleNode => ({
          id: `n${index}`,
          deps: index === 0 ? [] : picks.map((pick) => `n${pick % index}`),
          server: `server${servers[index]}`,
          weight: weights[index]!,
        }),
      ),
    ),
);

const limitsArbitrary = fc.record({
  parallelism: fc.integer({ min: 1, max: 6 }),
  perServer: fc.dictionary(
    fc.constantFrom("server0", "server1", "server2", "server3"),
    fc.integer({ min: 1, max: 3 }),
  ),
  defaultPerServer: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
});

describe("Scheduler properties over random DAGs", () => {
  it("runs every node once, after its dependencies, within limits, best ready node first", () => {
    fc.assert(
      fc.property(
        dagArbitrary,
        limitsArbitrary,
        fc.constantFrom("critical-path" as const, "fifo" as const),
        fc.infiniteStream(fc.nat()),
        // One completion in ten is a failure.
        fc.infiniteStream(fc.integer({ min: 0, max: 9 })),
        (nodes, limits, policy, choices, outcomes) => {
          const byId = new Map(nodes.map((entry) => [entry.id, entry]));
          const levels = bottomLevels(nodes);
          const limitOf = (server: string) =>
            limits.perServer[server] ?? limits.defaultPerServer ?? Number.POSITIVE_INFINITY;
          const scheduler = new Scheduler(nodes, limits, { policy });
          const started = new Set<string>();
          const succeeded = new Set<string>();
          const failed = new Set<string>();
          const running: string[] = [];
          const perServer = new Map<string, number>();

          while (!scheduler.done) {
            const taken = scheduler.take();
            for (const entry of taken) {
              expect(started.has(entry.id)).toBe(false);
              for (const dep of entry.deps) expect(succeeded.has(dep)).toBe(true);
              started.add(entry.id);
              running.push(entry.id);
              perServer.set(entry.server, (perServer.get(entry.server) ?? 0) + 1);
              expect(perServer.get(entry.server)!).toBeLessThanOrEqual(limitOf(entry.server));
            }
            expect(running.length).toBe(scheduler.running);
            expect(running.length).toBeLessThanOrEqual(limits.parallelism);
            // No ready node was left behind that could have started, nor one ranked above what started.
            for (const waiting of nodes) {
              if (started.has(waiting.id) || !waiting.deps.every((dep) => succeeded.has(dep))) continue;
              const serverFull = (perServer.get(waiting.server) ?? 0) >= limitOf(waiting.server);
              expect(serverFull || running.length === limits.parallelism).toBe(true);
              if (!serverFull && policy === "critical-path") {
                for (const entry of taken)
                  expect(levels.get(entry.id)!).toBeGreaterThanOrEqual(levels.get(waiting.id)!);
              }
            }
            expect(running.length).toBeGreaterThan(0);
            const [id] = running.splice(choices.next().value % running.length, 1) as [string];
            const server = byId.get(id)!.server;
            perServer.set(server, perServer.get(server)! - 1);
            if (outcomes.next().value === 0) {
              failed.add(id);
              scheduler.fail(id);
            } else {
              succeeded.add(id);
              scheduler.complete(id);
            }
          }

          // Exactly the transitive dependents of failed nodes were skipped; everything else ran.
          const blocked = new Set<string>();
          for (const id of topologicalOrder(nodes)) {
            if (byId.get(id)!.deps.some((dep) => failed.has(dep) || blocked.has(dep))) blocked.add(id);
          }
          expect(new Set(scheduler.skipped())).toEqual(blocked);
          expect(scheduler.skipped()).toHaveLength(blocked.size);
          expect(started.size + blocked.size).toBe(nodes.length);
          expect(scheduler.pending()).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
