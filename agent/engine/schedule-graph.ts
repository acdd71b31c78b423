/** The schedule's graph: nodes, their checks, topological order and critical-path priority. */

export interface ScheduleNode {
  id: string;
  deps: readonly string[];
  server: string;
  /** Estimated duration; default 1. Only relative sizes matter. */
  weight?: number;
}

export interface SchedulerLimits {
  parallelism: number;
  perServer?: Record<string, number>;
  /** Limit for servers not named in `perServer`; none when absent (only `parallelism` applies). */
  defaultPerServer?: number;
}

export type SchedulePolicy = "critical-path" | "fifo";

export interface SchedulerOptions {
  /** "critical-path" (default): longest remaining path first. "fifo": first ready, first started. */
  policy?: SchedulePolicy;
}

export type ScheduleErrorCode =
  | "DUPLICATE_NODE"
  | "UNKNOWN_DEPENDENCY"
  | "CYCLE"
  | "BAD_LIMIT"
  | "BAD_WEIGHT"
  | "BAD_POLICY"
  | "BAD_STATE";

/** Bad input or a call that breaks the take/complete protocol; the message says what to fix. */
export class SchedulerError extends Error {
  readonly code: ScheduleErrorCode;

  constructor(code: ScheduleErrorCode, message: string) {
    super(message);
    this.name = "SchedulerError";
    this.code = code;
  }

  static isInstance(value: unknown): value is SchedulerError {
    return value instanceof Error && value.name === "SchedulerError" && "code" in value;
  }
}

export interface IndexedGraph {
  indexOf: Map<string, number>;
  /** Dependents of each node (edges dep → dependent), by index. */
  dependents: number[][];
  /** Number of distinct dependencies of each node. */
  depCount: Int32Array;
  /** Indices in a topological order (dependencies first). */
  order: Int32Array;
}

export function indexGraph(nodes: readonly ScheduleNode[]): IndexedGraph {
  const indexOf = new Map<string, number>();
  nodes.forEach((node, index) => {
    if (indexOf.has(node.id)) {
      throw new SchedulerError(
        "DUPLICATE_NODE",
        `Two nodes share the id "${node.id}"; give every node its own id.`,
      );
    }
    indexOf.set(node.id, index);
  });
  const dependents: number[][] = nodes.map(() => []);
  const depCount = new Int32Array(nodes.length);
  nodes.forEach((node, index) => {
    for (const dep of new Set(node.deps)) {
      const depIndex = indexOf.get(dep);
      if (depIndex === undefined) {
        throw new SchedulerError(
          "UNKNOWN_DEPENDENCY",
          `Node "${node.id}" depends on "${dep}", which is not in the graph; add it or drop the dependency.`,
        );
      }
      dependents[depIndex]!.push(index);
      depCount[index]!++;
    }
  });
  // Kahn's algorithm, stable in input order.
  const remaining = depCount.slice();
  const order = new Int32Array(nodes.length);
  let tail = 0;
  for (let index = 0; index < nodes.length; index++) if (remaining[index] === 0) order[tail++] = index;
  for (let head = 0; head < tail; head++) {
    for (const next of dependents[order[head]!]!) if (--remaining[next]! === 0) order[tail++] = next;
  }
  if (tail < nodes.length) {
    const stuck = nodes.filter((_, index) => remaining[index]! > 0).map((node) => node.id);
    const shown = stuck.slice(0, 5).join(", ") + (stuck.length > 5 ? ", …" : "");
    throw new SchedulerError(
      "CYCLE",
      `The dependency graph has a cycle among ${stuck.length} nodes (${shown}); break the cycle.`,
    );
  }
  return { indexOf, dependents, depCount, order };
}

/** Node ids in a dependency-first order (stable in input order); throws on a cycle or unknown dep. */
export function topologicalOrder(nodes: readonly ScheduleNode[]): string[] {
  return Array.from(indexGraph(nodes).order, (index) => nodes[index]!.id);
}

export function nodeWeight(node: ScheduleNode): number {
  return node.weight ?? 1;
}

export function computeBottomLevels(
  nodes: readonly ScheduleNode[],
  graph: IndexedGraph,
  weight: (node: ScheduleNode) => number,
): Float64Array {
  const levels = new Float64Array(nodes.length);
  for (let position = graph.order.length - 1; position >= 0; position--) {
    const index = graph.order[position]!;
    const node = nodes[index]!;
    const own = weight(node);
    if (!Number.isFinite(own) || own < 0) {
      throw new SchedulerError(
        "BAD_WEIGHT",
        `Node "${node.id}" has weight ${own}; a weight is a finite number of 0 or more.`,
      );
    }
    let longest = 0;
    for (const next of graph.dependents[index]!) longest = Math.max(longest, levels[next]!);
    levels[index] = own + longest;
  }
  return levels;
}

/** Longest remaining path from each node to a sink, counting the node's own weight. */
export function bottomLevels(
  nodes: readonly ScheduleNode[],
  weight: (node: ScheduleNode) => number = nodeWeight,
): Map<string, number> {
  const levels = computeBottomLevels(nodes, indexGraph(nodes), weight);
  return new Map(nodes.map((node, index) => [node.id, levels[index]!]));
}

interface Priority {
  /** True when ready node `a` should start before ready node `b`. */
  before: (a: number, b: number) => boolean;
  stamp?: (index: number) => void;
}

export function priorityOrder(
  nodes: readonly ScheduleNode[],
  graph: IndexedGraph,
  policy: SchedulePolicy,
): Priority {
  if (policy === "fifo") {
    const readySeq = new Float64Array(nodes.length);
    let seq = 0;
    return {
      before: (a, b) => readySeq[a]! < readySeq[b]!,
      stamp: (index) => {
        readySeq[index] = seq++;
      },
    };
  }
  if (policy !== "critical-path") {
    throw new SchedulerError(
      "BAD_POLICY",
      `Unknown scheduling policy "${String(policy)}"; use "critical-path" or "fifo".`,
    );
  }
  const levels = computeBottomLevels(nodes, graph, nodeWeight);
  const fanOut = Int32Array.from(graph.dependents, (list) => list.length);
  const rank = idRanks(nodes);
  // Longest remaining path first; then more direct dependents (unlocks more work); then id, for determinism.
  return {
    before: (a, b) => {
      const levelA = levels[a]!;
      const levelB = levels[b]!;
      if (levelA !== levelB) return levelA > levelB;
      const fanA = fanOut[a]!;
      const fanB = fanOut[b]!;
      if (fanA !== fanB) return fanA > fanB;
      return rank[a]! < rank[b]!;
    },
  };
}

/** Each id's position in sorted order, so ties compare integers instead of strings. */
function idRanks(nodes: readonly ScheduleNode[]): Int32Array {
  const sorted = nodes.map((_, index) => index).sort((a, b) => (nodes[a]!.id < nodes[b]!.id ? -1 : 1));
  const rank = new Int32Array(nodes.length);
  sorted.forEach((index, position) => {
    rank[index] = position;
  });
  return rank;
}
