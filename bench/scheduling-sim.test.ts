import { describe, expect, it } from "vitest";
import { runSchedulingBench } from "./scheduling.ts";
import { type BenchGraph, GRAPH_SHAPES, randomDag } from "./scheduling-graphs.ts";
import { depths, lowerBound, simulateScheduler, simulateWaves } from "./scheduling-sim.ts";

// a(10) → b(10) → c(10), and d(25) on its own.
const handMade: BenchGraph = {
  shape: "random",
  seed: 0,
  nodes: [
    { id: "a", deps: [], server: "s" },
    { id: "b", deps: ["a"], server: "s" },
    { id: "c", deps: ["b"], server: "s" },
    { id: "d", deps: [], server: "s" },
  ],
  latency: Float64Array.from([10, 10, 10, 25]),
};

describe("scheduling simulation", () => {
  it("computes the lower bound, the waves and the dynamic makespan on a small graph", () => {
    expect(lowerBound(handMade, 1)).toBe(55);
    expect(lowerBound(handMade, 2)).toBe(30);
    expect(Array.from(depths(handMade))).toEqual([0, 1, 2, 0]);
    // Waves: {a, d} takes 25, then b, then c.
    expect(simulateWaves(handMade, 2)).toBe(45);
    expect(simulateScheduler(handMade, 2, "critical-path", (index) => handMade.latency[index]!)).toBe(30);
    expect(simulateScheduler(handMade, 1, "fifo", () => 1)).toBe(55);
  });

  it("never beats the lower bound on random graphs, and the generator is repeatable", () => {
    for (const shape of GRAPH_SHAPES) {
      const graph = randomDag(shape, 200, 3);
      expect(randomDag(shape, 200, 3)).toEqual(graph);
      for (const parallelism of [1, 10, 50]) {
        const bound = lowerBound(graph, parallelism);
        expect(simulateWaves(graph, parallelism)).toBeGreaterThanOrEqual(bound - 1e-9);
        for (const policy of ["critical-path", "fifo"] as const) {
          const makespan = simulateScheduler(graph, parallelism, policy, () => 1);
          expect(makespan).toBeGreaterThanOrEqual(bound - 1e-9);
        }
        // With one slot every schedule is the total work.
        if (parallelism === 1) expect(simulateWaves(graph, 1)).toBeCloseTo(bound, 6);
      }
    }
  });

  it("summarises every (size, parallelism) and the overall figures", async () => {
    const rows = await runSchedulingBench({ sizes: [50], parallelisms: [4], seeds: 2 });
    const group = rows.filter((row) => row.size === 50);
    expect(group.map((row) => row.scheduler)).toEqual([
      "critical-path (latency known)",
      "critical-path (unit weights)",
      "fifo",
      "waves",
    ]);
    for (const row of rows) {
      expect(row.medianRatio).toBeGreaterThanOrEqual(1 - 1e-9);
      expect(row.maxRatio).toBeGreaterThanOrEqual(row.medianRatio);
    }
    expect(group.every((row) => row.runs === 6)).toBe(true);
    expect(rows.filter((row) => row.size === "all" && row.shape === "all")).toHaveLength(4);
  });
});
