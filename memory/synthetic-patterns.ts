import {
  awsNetwork,
  type Blueprint,
  dockerStack,
  guestNetwork,
  kubernetesApp,
  type Pick,
  slug,
  webBehindLoadBalancer,
} from "./synthetic-blueprints.ts";
import {
  awsHighlyAvailable,
  buildAndRun,
  portForward,
  staticSite,
  usersAndCerts,
} from "./synthetic-blueprints-more.ts";
import type { PatternInput } from "./types.ts";

/**
 * Realistic remembered deployments across the §4 catalog, for the benchmark and the large-memory
 * test: ten blueprints, each with varied wording, names, counts, ports and engines. Seeded, so every
 * run generates the same memory.
 */
export function syntheticPatterns(count: number, seed = 11): PatternInput[] {
  const random = mulberry32(seed);
  const patterns: PatternInput[] = [];
  for (let index = 0; index < count; index++) {
    const blueprint = BLUEPRINTS[index % BLUEPRINTS.length]!;
    const { goal, resources } = blueprint(makePick(random), index);
    const name = `${slug(goal).slice(0, 40)}-${index}`;
    patterns.push({
      goal,
      deployment: name,
      spec: { name, resources },
      providers: [...new Set(resources.map((resource) => resource.type.split(":")[0]!))].sort(),
      outcome: "succeeded",
      planner: index % 3 === 0 ? "offline" : "anthropic:claude-sonnet-4-5",
    });
  }
  return patterns;
}

/** Goals worded the way people ask, drawn from the same blueprints with fresh choices. */
export function syntheticGoals(count: number, seed = 23): string[] {
  const random = mulberry32(seed);
  return Array.from(
    { length: count },
    (_, index) => BLUEPRINTS[index % BLUEPRINTS.length]!(makePick(random), index).goal,
  );
}

const BLUEPRINTS: Blueprint[] = [
  webBehindLoadBalancer,
  guestNetwork,
  kubernetesApp,
  dockerStack,
  awsNetwork,
  staticSite,
  portForward,
  usersAndCerts,
  awsHighlyAvailable,
  buildAndRun,
];

function makePick(random: () => number): Pick {
  return {
    one: (items) => items[Math.floor(random() * items.length)]!,
    int: (min, max) => min + Math.floor(random() * (max - min + 1)),
    chance: (p) => random() < p,
  };
}

/** A seeded PRNG, so the same seed gives the same memory. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
