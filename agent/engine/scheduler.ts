/**
 * The apply scheduler of design §5 as a pure policy: it knows nothing of clocks, providers or state.
 * The caller asks what may start (`take`), starts it, and reports each outcome (`complete`, `fail`).
 * A node starts as soon as all its dependencies succeeded; among ready nodes the longest remaining
 * path goes first; global and per-server limits hold, and a full server never blocks other servers.
 */

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

/** A binary min-heap under `before`; `onMove` lets a caller track positions for `update`/`remove`. */
export class BinaryHeap<T> {
  private readonly items: T[] = [];
  private readonly before: (a: T, b: T) => boolean;
  private readonly onMove: ((item: T, index: number) => void) | undefined;

  constructor(before: (a: T, b: T) => boolean, onMove?: (item: T, index: number) => void) {
    this.before = before;
    this.onMove = onMove;
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    this.siftUp(this.items.length - 1);
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      this.place(last, 0);
      this.siftDown(0);
    }
    return top;
  }

  /** Restores heap order after the item at `index` changed its key. */
  update(index: number): void {
    this.siftDown(this.siftUp(index));
  }

  remove(index: number): void {
    const items = this.items;
    const last = items.pop();
    if (index < items.length && last !== undefined) {
      this.place(last, index);
      this.update(index);
    }
  }

  private place(item: T, index: number): void {
    this.items[index] = item;
    this.onMove?.(item, index);
  }

  private siftUp(start: number): number {
    const items = this.items;
    const item = items[start] as T;
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!this.before(item, parent)) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(item, index);
    return index;
  }

  private siftDown(start: number): number {
    const items = this.items;
    const length = items.length;
    const item = items[start] as T;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && this.before(items[right] as T, items[left] as T)) child = right;
      if (!this.before(items[child] as T, item)) break;
      this.place(items[child] as T, index);
      index = child;
    }
    this.place(item, index);
    return index;
  }
}

interface IndexedGraph {
  indexOf: Map<string, number>;
  /** Dependents of each node (edges dep → dependent), by index. */
  dependents: number[][];
  /** Number of distinct dependencies of each node. */
  depCount: Int32Array;
  /** Indices in a topological order (dependencies first). */
  order: Int32Array;
}

function indexGraph(nodes: readonly ScheduleNode[]): IndexedGraph {
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

function nodeWeight(node: ScheduleNode): number {
  return node.weight ?? 1;
}

function computeBottomLevels(
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

function checkLimit(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SchedulerError("BAD_LIMIT", `${what} is ${value}; it must be a whole number of 1 or more.`);
  }
  return value;
}

const WAITING = 0;
const READY = 1;
const RUNNING = 2;
const SUCCEEDED = 3;
const FAILED = 4;
const SKIPPED = 5;

/** One server's ready queue and its slots; servers with a free slot and ready work sit in a heap. */
interface ServerQueue {
  limit: number;
  running: number;
  ready: BinaryHeap<number>;
  /** Position in the eligible-servers heap, or -1 when not in it. */
  position: number;
}

export class Scheduler {
  private readonly nodes: readonly ScheduleNode[];
  private readonly indexOf: Map<string, number>;
  private readonly dependents: number[][];
  private readonly waitingOn: Int32Array;
  private readonly status: Uint8Array;
  private readonly serverOf: ServerQueue[];
  /** Servers that have a free slot and ready work, ordered by their best ready node. */
  private readonly eligible: BinaryHeap<ServerQueue>;
  private readonly parallelism: number;
  private runningCount = 0;
  private readyCount = 0;
  private halted = false;
  /** Called as each node becomes ready (FIFO numbers them). */
  private readonly stampReady: ((index: number) => void) | undefined;
  private readonly skippedIds: string[] = [];

  constructor(nodes: readonly ScheduleNode[], limits: SchedulerLimits, options: SchedulerOptions = {}) {
    const graph = indexGraph(nodes);
    this.nodes = nodes;
    this.indexOf = graph.indexOf;
    this.dependents = graph.dependents;
    this.waitingOn = graph.depCount.slice();
    this.status = new Uint8Array(nodes.length);
    this.parallelism = checkLimit(limits.parallelism, "parallelism");

    const { before, stamp } = priorityOrder(nodes, graph, options.policy ?? "critical-path");
    this.stampReady = stamp;
    const queues = new Map<string, ServerQueue>();
    const defaultLimit =
      limits.defaultPerServer === undefined
        ? Number.POSITIVE_INFINITY
        : checkLimit(limits.defaultPerServer, "defaultPerServer");
    for (const [server, limit] of Object.entries(limits.perServer ?? {})) {
      checkLimit(limit, `the limit for server "${server}"`);
    }
    this.serverOf = nodes.map((node) => {
      let queue = queues.get(node.server);
      if (!queue) {
        queue = {
          limit: limits.perServer?.[node.server] ?? defaultLimit,
          running: 0,
          ready: new BinaryHeap(before),
          position: -1,
        };
        queues.set(node.server, queue);
      }
      return queue;
    });
    this.eligible = new BinaryHeap(
      (a, b) => before(a.ready.peek()!, b.ready.peek()!),
      (queue, index) => {
        queue.position = index;
      },
    );
    for (let index = 0; index < nodes.length; index++) if (this.waitingOn[index] === 0) this.makeReady(index);
  }

  /** Nodes that may start now, best first, within the global and per-server limits; marks them running. */
  take(): ScheduleNode[] {
    const started: ScheduleNode[] = [];
    while (!this.halted && this.runningCount < this.parallelism) {
      const queue = this.eligible.peek();
      if (!queue) break;
      const index = queue.ready.pop()!;
      queue.running++;
      if (queue.ready.size > 0 && queue.running < queue.limit) this.eligible.update(queue.position);
      else this.leaveEligible(queue);
      this.status[index] = RUNNING;
      this.runningCount++;
      this.readyCount--;
      started.push(this.nodes[index]!);
    }
    return started;
  }

  /** The node succeeded: dependents whose dependencies all succeeded become ready. */
  complete(id: string): void {
    const index = this.finish(id, SUCCEEDED);
    for (const next of this.dependents[index]!) {
      if (--this.waitingOn[next]! === 0 && this.status[next] === WAITING) this.makeReady(next);
    }
  }

  /**
   * The node failed: every transitive dependent can never run and is marked skipped.
   * Returns the ids skipped by this call (not those an earlier failure already skipped).
   */
  fail(id: string): string[] {
    const index = this.finish(id, FAILED);
    const newlySkipped: string[] = [];
    const stack = [...this.dependents[index]!];
    while (stack.length > 0) {
      const next = stack.pop()!;
      // A skipped node's dependents were skipped with it; a dependent can never be ready or running here.
      if (this.status[next] !== WAITING) continue;
      this.status[next] = SKIPPED;
      newlySkipped.push(this.nodes[next]!.id);
      for (const after of this.dependents[next]!) stack.push(after);
    }
    this.skippedIds.push(...newlySkipped);
    return newlySkipped;
  }

  /** Stop launching anything new; running work may still complete or fail. */
  halt(): void {
    this.halted = true;
  }

  get running(): number {
    return this.runningCount;
  }

  /** Nothing is running and nothing more will start. */
  get done(): boolean {
    return this.runningCount === 0 && (this.halted || this.readyCount === 0);
  }

  get isHalted(): boolean {
    return this.halted;
  }

  /** Ids skipped because something they depend on failed, in the order they were skipped. */
  skipped(): string[] {
    return [...this.skippedIds];
  }

  /** Ids not started yet and not skipped (waiting or ready), in input order. */
  pending(): string[] {
    const ids: string[] = [];
    this.status.forEach((status, index) => {
      if (status === WAITING || status === READY) ids.push(this.nodes[index]!.id);
    });
    return ids;
  }

  private makeReady(index: number): void {
    this.status[index] = READY;
    this.readyCount++;
    this.stampReady?.(index);
    const queue = this.serverOf[index]!;
    queue.ready.push(index);
    if (queue.running >= queue.limit) return;
    if (queue.position < 0) this.eligible.push(queue);
    else if (queue.ready.peek() === index) this.eligible.update(queue.position);
  }

  private finish(id: string, outcome: typeof SUCCEEDED | typeof FAILED): number {
    const index = this.indexOf.get(id);
    if (index === undefined) {
      throw new SchedulerError(
        "BAD_STATE",
        `No node "${id}" in this schedule; report only ids that take() returned.`,
      );
    }
    if (this.status[index] !== RUNNING) {
      throw new SchedulerError(
        "BAD_STATE",
        `Node "${id}" is not running; report each node taken exactly once, after take() returned it.`,
      );
    }
    this.status[index] = outcome;
    this.runningCount--;
    const queue = this.serverOf[index]!;
    queue.running--;
    if (queue.position < 0 && queue.ready.size > 0 && queue.running < queue.limit) this.eligible.push(queue);
    return index;
  }

  private leaveEligible(queue: ServerQueue): void {
    this.eligible.remove(queue.position);
    queue.position = -1;
  }
}

interface Priority {
  /** True when ready node `a` should start before ready node `b`. */
  before: (a: number, b: number) => boolean;
  stamp?: (index: number) => void;
}

function priorityOrder(
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
