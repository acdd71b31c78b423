import { type DiffEntry, deepEqual } from "../../protocol/index.ts";

/**
 * Projection of a live object onto the fields some manager set (metadata.managedFields), so that
 * properties read back hold what people and tools wrote, not the server's defaults or status.
 */
type Tree = { [token: string]: Tree };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function mergeTrees(into: Tree, from: unknown): void {
  if (!isRecord(from)) return;
  for (const [token, child] of Object.entries(from)) {
    if (!into[token]) into[token] = {};
    mergeTrees(into[token], child);
  }
}

/** The union of the field sets in managedFields (optionally only one manager's). */
export function ownedTree(object: Record<string, unknown>, manager?: string): Tree {
  const meta = isRecord(object["metadata"]) ? object["metadata"] : {};
  const entries = Array.isArray(meta["managedFields"]) ? meta["managedFields"] : [];
  const tree: Tree = {};
  for (const entry of entries) {
    if (!isRecord(entry) || entry["subresource"] === "status") continue;
    if (manager !== undefined && entry["manager"] !== manager) continue;
    mergeTrees(tree, entry["fieldsV1"]);
  }
  return tree;
}

function matchesKey(item: unknown, key: Record<string, unknown>): boolean {
  if (!isRecord(item)) return false;
  return Object.entries(key).every(
    ([name, value]) =>
      deepEqual(item[name], value) || (name === "protocol" && item[name] === undefined && value === "TCP"),
  );
}

/** The parts of `value` the tree names; a node with no children (or only ".") keeps the value whole. */
export function project(value: unknown, tree: Tree): unknown {
  const tokens = Object.keys(tree).filter((token) => token !== ".");
  if (tokens.length === 0) return value;
  if (Array.isArray(value)) {
    const keyed = tokens.filter((token) => token.startsWith("k:"));
    const kept: unknown[] = [];
    for (const item of value) {
      const token = keyed.find((candidate) => matchesKey(item, JSON.parse(candidate.slice(2))));
      if (token) kept.push(project(item, tree[token]!));
      else if (tokens.some((candidate) => candidate === `v:${JSON.stringify(item)}`)) kept.push(item);
    }
    return kept;
  }
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const token of tokens) {
    if (!token.startsWith("f:")) continue;
    const name = token.slice(2);
    if (value[name] !== undefined) out[name] = project(value[name], tree[token]!);
  }
  return out;
}

/** Leaf-level differences between two objects, as `spec.template.spec.containers[0].image` paths. */
export function leafDiff(before: unknown, after: unknown, path = ""): DiffEntry[] {
  if (deepEqual(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => leafDiff(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => leafDiff(item, after[index], `${path}[${index}]`));
  }
  const entry: DiffEntry = { path, forcesReplacement: false };
  if (before !== undefined) entry.before = before;
  if (after !== undefined) entry.after = after;
  return [entry];
}

/** The value at a dotted path (`spec.clusterIP`, `spec.ports[0].port`), or undefined. */
export function valueAtPath(object: unknown, path: string): unknown {
  let current: unknown = object;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isRecord(current)) current = current[part];
    else return undefined;
  }
  return current;
}
