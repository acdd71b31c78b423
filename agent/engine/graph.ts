import type { Resource, ResourceTypeInfo } from "../../tools/protocol/index.ts";
import { findReferences, type Reference } from "./references.ts";
import type { Deployment } from "./spec.ts";
import { SpecError, type SpecIssue } from "./spec-error.ts";

export interface GraphNode {
  resource: Resource;
  /**
   * Names this resource waits for (its references and its dependsOn), each once. Arrays rather than
   * Sets: most hold one or two names, and at 100,000 resources two Sets per node were ~30 MB.
   */
  deps: string[];
  /** Names that wait for this resource, each once. */
  dependents: string[];
  references: Reference[];
}

export interface ResourceGraph {
  nodes: Map<string, GraphNode>;
  /** Dependencies before dependents. */
  order: string[];
}

export interface GraphOptions {
  /** The schema of a type, once providers have described it; unknown types are reported when given. */
  typeInfo?: (type: string) => ResourceTypeInfo | undefined;
  /** All types the configured servers describe, for "did you mean" hints. */
  knownTypes?: readonly string[];
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const score = editDistance(word, candidate);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return best !== undefined && bestScore <= Math.max(3, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function outputKeys(info: ResourceTypeInfo | undefined): Set<string> | undefined {
  const properties = info?.outputs["properties"];
  if (!properties || typeof properties !== "object") return undefined;
  return new Set(Object.keys(properties));
}

/**
 * Builds the one graph over all servers from references and dependsOn, and reports every problem
 * at once: dangling references, unknown output paths, unknown types, cycles.
 */
export function buildGraph(deployment: Deployment, options: GraphOptions = {}): ResourceGraph {
  const issues: SpecIssue[] = [];
  const nodes = new Map<string, GraphNode>();
  for (const resource of deployment.resources) {
    nodes.set(resource.name, { resource, deps: [], dependents: [], references: [] });
  }
  const names = [...nodes.keys()];

  for (const node of nodes.values()) {
    const { resource } = node;
    // A Set while building (a resource may name the same one many times), an array once built.
    const deps = new Set<string>();
    if (options.typeInfo && !options.typeInfo(resource.type)) {
      const hint = closest(resource.type, options.knownTypes ?? []);
      issues.push({
        resource: resource.name,
        path: "type",
        message: `unknown type ${resource.type}${hint ? ` (did you mean ${hint}?)` : ""}; \`agent providers\` lists the types each server offers`,
      });
    }
    const found = findReferences(resource.properties, "properties");
    for (const error of found.errors) {
      issues.push({ resource: resource.name, path: error.at, message: `${error.text}: ${error.message}` });
    }
    for (const reference of found.references) {
      const target = nodes.get(reference.target);
      if (!target) {
        const hint = closest(reference.target, names);
        issues.push({
          resource: resource.name,
          path: reference.at,
          message: `${reference.text} refers to a resource named ${reference.target}, which the deployment does not have${hint ? ` (did you mean ${hint}?)` : ""}`,
        });
        continue;
      }
      const problem = referenceProblem(reference, target.resource, options);
      if (problem) {
        issues.push({ resource: resource.name, path: reference.at, message: problem });
        continue;
      }
      node.references.push(reference);
      deps.add(target.resource.name);
    }
    (resource.dependsOn ?? []).forEach((dependency, index) => {
      if (!nodes.has(dependency)) {
        const hint = closest(dependency, names);
        issues.push({
          resource: resource.name,
          path: `dependsOn[${index}]`,
          message: `depends on ${dependency}, which the deployment does not have${hint ? ` (did you mean ${hint}?)` : ""}`,
        });
      } else {
        deps.add(dependency);
      }
    });
    node.deps = [...deps];
  }
  for (const node of nodes.values()) {
    // deps hold each name once, so each dependent is pushed once.
    for (const dependency of node.deps) nodes.get(dependency)?.dependents.push(node.resource.name);
  }

  const order = issues.length === 0 ? topologicalOrCycle(nodes, issues) : [];
  if (issues.length > 0) throw new SpecError(`deployment "${deployment.name}"`, issues);
  return { nodes, order };
}

/** What is wrong with a reference to an existing resource: a wrong type prefix or an unknown output. */
function referenceProblem(
  reference: { text: string; target: string; typePrefix?: string | undefined; path: (string | number)[] },
  target: Resource,
  options: GraphOptions,
): string | undefined {
  if (reference.typePrefix && !target.type.startsWith(`${reference.typePrefix}:`))
    return `${reference.text} says ${reference.target} is a ${reference.typePrefix}:* resource, but it is ${target.type}`;
  const head = reference.path[0];
  const outputs = outputKeys(options.typeInfo?.(target.type));
  // Own keys only: `__proto__`, `constructor`, `toString` are not properties of a resource.
  if (outputs && typeof head === "string" && !outputs.has(head) && !Object.hasOwn(target.properties, head))
    return `${reference.text}: ${target.type} has no output or property "${head}" (outputs: ${[...outputs].join(", ") || "none"})`;
  return undefined;
}

/** Kahn's algorithm; what remains afterwards holds a cycle, which is traced and named. */
function topologicalOrCycle(nodes: Map<string, GraphNode>, issues: SpecIssue[]): string[] {
  const remaining = new Map<string, number>();
  const queue: string[] = [];
  for (const [name, node] of nodes) {
    remaining.set(name, node.deps.length);
    if (node.deps.length === 0) queue.push(name);
  }
  const order: string[] = [];
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head]!;
    order.push(name);
    for (const dependent of nodes.get(name)!.dependents) {
      const left = remaining.get(dependent)! - 1;
      remaining.set(dependent, left);
      if (left === 0) queue.push(dependent);
    }
  }
  if (order.length === nodes.size) return order;

  const stuck = new Set([...remaining].filter(([, left]) => left > 0).map(([name]) => name));
  const start = [...stuck][0]!;
  const path: string[] = [];
  const position = new Map<string, number>();
  let current = start;
  while (!position.has(current)) {
    position.set(current, path.length);
    path.push(current);
    current = nodes.get(current)!.deps.find((dependency) => stuck.has(dependency))!;
  }
  const cycle = [...path.slice(position.get(current)!), current];
  issues.push({
    resource: current,
    path: "dependsOn",
    message: `dependency cycle: ${cycle.join(" → ")}; break it by removing one of these references or dependsOn entries`,
  });
  return [];
}

/** How many resources depend on this one, directly or not (a breadth-first walk). */
export function countDependents(
  nodes: ReadonlyMap<string, { dependents: Iterable<string> }>,
  name: string,
): number {
  const seen = new Set<string>();
  const queue = [name];
  for (let head = 0; head < queue.length; head++) {
    for (const dependent of nodes.get(queue[head]!)?.dependents ?? []) {
      if (seen.has(dependent)) continue;
      seen.add(dependent);
      queue.push(dependent);
    }
  }
  return seen.size;
}
