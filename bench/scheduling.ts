/**
 * Apply-scheduler benchmark: a discrete-event simulation (virtual clock, nothing sleeps) over seeded
 * random DAGs, comparing makespan ÷ lower bound for our critical-path scheduler against level-by-level
 * waves and a first-come dynamic scheduler. Run directly: `npx node bench/scheduling.ts`.
 */
import { pathToFileURL } from "node:url";
import { type BenchGraph, GRAPH_SHAPES, type GraphShape, randomDag } from "./scheduling-graphs.ts";
import { lowerBound, simulateScheduler, simulateWaves } from "./scheduling-sim.ts";

export interface SchedulingBenchOptions {
  sizes?: readonly number[];
  parallelisms?: readonly number[];
  /** Seeds per (size, shape); each seed makes one graph of each shape. */
  seeds?: number;
  shapes?: readonly GraphShape[];
}

export type SchedulerVariant =
  | "critical-path (latency known)"
  | "critical-path (unit weights)"
  | "fifo"
  | "waves";

export const SCHEDULER_VARIANTS: readonly SchedulerVariant[] = [
  "critical-path (latency known)",
  "critical-path (unit weights)",
  "fifo",
  "waves",
];

export interface SchedulingBenchRow {
  /** Graph size, or "all" for the overall summary. */
  size: number | "all";
  parallelism: number | "all";
  /** Graph shape, or "all" when the row mixes every shape. */
  shape: GraphShape | "all";
  scheduler: SchedulerVariant;
  runs: number;
  medianRatio: number;
  maxRatio: number;
}

function makespan(variant: SchedulerVariant, graph: BenchGraph, parallelism: number): number {
  switch (variant) {
    case "critical-path (latency known)":
      return simulateScheduler(graph, parallelism, "critical-path", (index) => graph.latency[index]!);
    case "critical-path (unit weights)":
      return simulateScheduler(graph, parallelism, "critical-path", () => 1);
    case "fifo":
      return simulateScheduler(graph, parallelism, "fifo", () => 1);
    case "waves":
      return simulateWaves(graph, parallelism);
    default: {
      const unknown: never = variant;
      throw new Error(`unknown scheduler variant ${String(unknown)}`);
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summarize(
  size: number | "all",
  parallelism: number | "all",
  shape: GraphShape | "all",
  scheduler: SchedulerVariant,
  ratios: readonly number[],
): SchedulingBenchRow {
  return {
    size,
    parallelism,
    shape,
    scheduler,
    runs: ratios.length,
    medianRatio: median(ratios),
    maxRatio: Math.max(...ratios),
  };
}

export async function runSchedulingBench(
  options: SchedulingBenchOptions = {},
): Promise<SchedulingBenchRow[]> {
  const sizes = options.sizes ?? [100, 500, 1000, 2000];
  const parallelisms = options.parallelisms ?? [10, 50];
  const seeds = options.seeds ?? 5;
  const shapes = options.shapes ?? GRAPH_SHAPES;
  const rows: SchedulingBenchRow[] = [];
  const overall = new Map<string, number[]>();
  const record = (key: string, ratio: number) => {
    const list = overall.get(key);
    if (list) list.push(ratio);
    else overall.set(key, [ratio]);
  };
  for (const size of sizes) {
    const graphs = shapes.flatMap((shape) =>
      Array.from({ length: seeds }, (_, seed) => randomDag(shape, size, seed + 1)),
    );
    for (const parallelism of parallelisms) {
      const ratios = new Map<SchedulerVariant, number[]>(SCHEDULER_VARIANTS.map((variant) => [variant, []]));
      for (const graph of graphs) {
        const bound = lowerBound(graph, parallelism);
        for (const variant of SCHEDULER_VARIANTS) {
          const ratio = makespan(variant, graph, parallelism) / bound;
          ratios.get(variant)!.push(ratio);
          record(`all|${variant}`, ratio);
          record(`${graph.shape}|${variant}`, ratio);
        }
      }
      for (const variant of SCHEDULER_VARIANTS) {
        rows.push(summarize(size, parallelism, "all", variant, ratios.get(variant)!));
      }
      // Yield between groups so a caller's event loop (a progress printer) keeps turning.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  for (const shape of ["all", ...shapes] as const) {
    for (const variant of SCHEDULER_VARIANTS) {
      rows.push(summarize("all", "all", shape, variant, overall.get(`${shape}|${variant}`)!));
    }
  }
  return rows;
}

/** Wall time the real Scheduler spends per node (build, take, complete) in a simulation of `size` nodes. */
export function schedulerOverheadMicros(size: number, parallelism = 50): number {
  const graph = randomDag("random", size, 1);
  const started = performance.now();
  simulateScheduler(graph, parallelism, "critical-path", (index) => graph.latency[index]!);
  return ((performance.now() - started) * 1000) / size;
}

export function formatSchedulingTable(rows: readonly SchedulingBenchRow[]): string {
  const header = ["size", "parallelism", "shape", "scheduler", "runs", "median ratio", "max ratio"];
  const cells = rows.map((row) => [
    String(row.size),
    String(row.parallelism),
    row.shape,
    row.scheduler,
    String(row.runs),
    row.medianRatio.toFixed(3),
    row.maxRatio.toFixed(3),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]!.length)),
  );
  const line = (values: readonly string[]) =>
    values.map((value, column) => value.padEnd(widths[column]!)).join("  ");
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...cells.map(line)].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await runSchedulingBench();
  console.log("makespan ÷ lower bound (max(critical path, total work ÷ parallelism)); lower is better\n");
  console.log(formatSchedulingTable(rows));
  console.log("");
  for (const size of [10_000, 50_000]) {
    const micros = schedulerOverheadMicros(size);
    console.log(`scheduler overhead, ${size} nodes: ${micros.toFixed(1)} µs per node (simulation included)`);
  }
}
