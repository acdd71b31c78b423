import {
  BinaryHeap,
  type ScheduleNode,
  type SchedulePolicy,
  Scheduler,
  topologicalOrder,
} from "../agent/engine/scheduler.ts";
import type { BenchGraph } from "./scheduling-graphs.ts";

interface Finish {
  time: number;
  seq: number;
  index: number;
}

/**
 * Discrete-event simulation on a virtual clock driving the real Scheduler: start whatever take()
 * offers, jump to the next finish, complete it, repeat. Returns the makespan in ms.
 */
export function simulateScheduler(
  graph: BenchGraph,
  parallelism: number,
  policy: SchedulePolicy,
  weightOf: (index: number) => number,
): number {
  const nodes: ScheduleNode[] = graph.nodes.map((node, index) => ({ ...node, weight: weightOf(index) }));
  const indexOf = new Map(nodes.map((node, index) => [node.id, index]));
  const scheduler = new Scheduler(nodes, { parallelism }, { policy });
  const events = new BinaryHeap<Finish>((a, b) => (a.time === b.time ? a.seq < b.seq : a.time < b.time));
  let now = 0;
  let seq = 0;
  let completed = 0;
  for (;;) {
    for (const node of scheduler.take()) {
      const index = indexOf.get(node.id)!;
      events.push({ time: now + graph.latency[index]!, seq: seq++, index });
    }
    const next = events.pop();
    if (!next) break;
    now = next.time;
    scheduler.complete(nodes[next.index]!.id);
    completed++;
  }
  if (!scheduler.done || completed !== nodes.length) {
    throw new Error(`simulation stalled: ${completed} of ${nodes.length} nodes completed`);
  }
  return now;
}

/** Node indices with every dependency before its dependents. */
function indexOrder(graph: BenchGraph): { order: number[]; indexOf: Map<string, number> } {
  const indexOf = new Map(graph.nodes.map((node, index) => [node.id, index]));
  return { order: topologicalOrder(graph.nodes).map((id) => indexOf.get(id)!), indexOf };
}

/** Depth of each node in edges from a root (its wave), by index. */
export function depths(graph: BenchGraph): Int32Array {
  const { order, indexOf } = indexOrder(graph);
  const depth = new Int32Array(graph.nodes.length);
  for (const index of order) {
    for (const dep of graph.nodes[index]!.deps)
      depth[index] = Math.max(depth[index]!, depth[indexOf.get(dep)!]! + 1);
  }
  return depth;
}

/**
 * Level-by-level waves: all nodes at one depth run under the parallelism limit (greedy, in node
 * order), and the next wave starts only when the whole wave has finished.
 */
export function simulateWaves(graph: BenchGraph, parallelism: number): number {
  const depth = depths(graph);
  const waves: number[][] = Array.from({ length: Math.max(-1, ...depth) + 1 }, () => []);
  depth.forEach((level, index) => {
    waves[level]!.push(index);
  });
  let waveStart = 0;
  for (const wave of waves) {
    const slots = new BinaryHeap<number>((a, b) => a < b);
    for (let slot = 0; slot < Math.min(parallelism, wave.length); slot++) slots.push(waveStart);
    let waveEnd = waveStart;
    for (const index of wave) {
      const finish = slots.pop()! + graph.latency[index]!;
      slots.push(finish);
      waveEnd = Math.max(waveEnd, finish);
    }
    waveStart = waveEnd;
  }
  return waveStart;
}

/** max(critical path by latency, total work ÷ parallelism): no schedule can beat it. */
export function lowerBound(graph: BenchGraph, parallelism: number): number {
  const { order, indexOf } = indexOrder(graph);
  const finish = new Float64Array(graph.nodes.length);
  let criticalPath = 0;
  let totalWork = 0;
  for (const index of order) {
    let start = 0;
    for (const dep of graph.nodes[index]!.deps) start = Math.max(start, finish[indexOf.get(dep)!]!);
    finish[index] = start + graph.latency[index]!;
    criticalPath = Math.max(criticalPath, finish[index]!);
    totalWork += graph.latency[index]!;
  }
  return Math.max(criticalPath, totalWork / parallelism);
}
