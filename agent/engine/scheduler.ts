/**
 * The apply scheduler of design §5 as a pure policy: it knows nothing of clocks, providers or state.
 * The caller asks what may start (`take`), starts it, and reports each outcome (`complete`, `fail`).
 * A node starts as soon as all its dependencies succeeded; among ready nodes the longest remaining
 * path goes first; global and per-server limits hold, and a full server never blocks other servers.
 */

import { BinaryHeap } from "./binary-heap.ts";
import {
  indexGraph,
  priorityOrder,
  type ScheduleNode,
  SchedulerError,
  type SchedulerLimits,
  type SchedulerOptions,
} from "./schedule-graph.ts";

export { BinaryHeap } from "./binary-heap.ts";
export {
  bottomLevels,
  type ScheduleErrorCode,
  type ScheduleNode,
  type SchedulePolicy,
  SchedulerError,
  type SchedulerLimits,
  type SchedulerOptions,
  topologicalOrder,
} from "./schedule-graph.ts";

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
