import type { ScheduleNode } from "../agent/engine/scheduler.ts";

/** mulberry32: a small seeded PRNG so every benchmark run sees the same graphs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type GraphShape = "wide" | "deep" | "random";

export const GRAPH_SHAPES: readonly GraphShape[] = ["wide", "deep", "random"];

export interface BenchGraph {
  shape: GraphShape;
  seed: number;
  /** Nodes without weights; each scheduler variant adds the weights it is allowed to know. */
  nodes: ScheduleNode[];
  /** Simulated duration of each node in ms, by index. */
  latency: Float64Array;
}

const SERVERS = ["opnsense", "aws", "kubernetes", "docker"];

function layerCount(shape: GraphShape, size: number): number {
  if (shape === "wide") return 5;
  if (shape === "deep") return Math.max(5, Math.round(size / 15));
  return Math.max(3, Math.round(Math.sqrt(size)));
}

/**
 * A layered-ish random DAG: nodes fall into layers at random; a node outside the first layer has
 * 1–3 dependencies, mostly on the layer just before it, sometimes on any earlier layer (long edges),
 * and now and then none at all (an independent root deep in the order).
 */
export function randomDag(shape: GraphShape, size: number, seed: number): BenchGraph {
  const random = seededRandom(seed * 7919 + size * 31 + GRAPH_SHAPES.indexOf(shape));
  const pick = (count: number) => Math.floor(random() * count);
  const layers = layerCount(shape, size);
  const byLayer: number[][] = Array.from({ length: layers }, () => []);
  const layerOf = new Int32Array(size);
  for (let index = 0; index < size; index++) {
    // Every layer gets at least one node so the depth is what the shape says.
    const layer = index < layers ? index : pick(layers);
    layerOf[index] = layer;
    byLayer[layer]!.push(index);
  }
  const nodes: ScheduleNode[] = [];
  const latency = new Float64Array(size);
  for (let index = 0; index < size; index++) {
    const layer = layerOf[index]!;
    const deps = new Set<string>();
    if (layer > 0 && random() > 0.05) {
      const wanted = 1 + pick(3);
      for (let attempt = 0; attempt < wanted; attempt++) {
        const fromLayer = random() < 0.7 ? layer - 1 : pick(layer);
        const candidates = byLayer[fromLayer]!;
        deps.add(`n${candidates[pick(candidates.length)]!}`);
      }
    }
    nodes.push({ id: `n${index}`, deps: [...deps], server: SERVERS[pick(SERVERS.length)]! });
    latency[index] = 5 + random() * 195;
  }
  return { shape, seed, nodes, latency };
}
