/**
 * Field sets of server-side apply: an object flattened into leaf paths (`f:<name>` for fields and map
 * keys, `k:{...}` for items of keyed lists), kept per manager in `metadata.managedFields` as FieldsV1.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type Token = string;
/** A path as a JSON array of tokens, so it can live in a Set. */
export type PathKey = string;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => deepEqual(item, other[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (!deepEqual(left[key], right[key])) return false;
  return true;
}

/** The keys of a keyed list as Kubernetes' OpenAPI declares them, by field name; others are atomic. */
function listKeys(field: string, items: Json[]): string[] | undefined {
  const first = items.find(isObject);
  if (["containers", "initContainers", "ephemeralContainers", "env", "volumes"].includes(field))
    return ["name"];
  if (field === "imagePullSecrets") return ["name"];
  if (field === "volumeMounts") return ["mountPath"];
  if (field === "ports" && first && "containerPort" in first) return ["containerPort", "protocol"];
  if (field === "ports" && first && "port" in first) return ["port", "protocol"];
  return undefined;
}

/** The identity of a list item; a port's protocol defaults to TCP, as the schema defaults it. */
function itemKey(keys: string[], item: Json): JsonObject | undefined {
  if (!isObject(item)) return undefined;
  const key: JsonObject = {};
  for (const name of keys) {
    const value = item[name] ?? (name === "protocol" ? "TCP" : undefined);
    if (value === undefined) return undefined;
    key[name] = value;
  }
  return key;
}

function keyedItems(field: string, list: Json[]): { token: Token; item: JsonObject }[] | undefined {
  const keys = listKeys(field, list);
  if (!keys) return undefined;
  const out: { token: Token; item: JsonObject }[] = [];
  for (const item of list) {
    const key = itemKey(keys, item);
    if (!key) return undefined;
    out.push({ token: `k:${JSON.stringify(key)}`, item: item as JsonObject });
  }
  return out;
}

/** Leaf paths of an object: scalars, atomic lists, empty maps, and keyed-list items themselves. */
export function leafPaths(object: JsonObject, prefix: Token[] = []): Token[][] {
  const paths: Token[][] = [];
  for (const [name, value] of Object.entries(object)) {
    const path = [...prefix, `f:${name}`];
    if (isObject(value) && Object.keys(value).length > 0) {
      paths.push(...leafPaths(value, path));
    } else if (Array.isArray(value)) {
      const items = keyedItems(name, value);
      if (!items) {
        paths.push(path);
        continue;
      }
      for (const { token, item } of items) {
        paths.push([...path, token]);
        paths.push(...leafPaths(item, [...path, token]));
      }
    } else {
      paths.push(path);
    }
  }
  return paths;
}

/** The fields a write may own: not identity, bookkeeping or status. */
export function ownableLeaves(object: JsonObject): Token[][] {
  const { apiVersion: _a, kind: _k, status: _s, metadata, ...rest } = object;
  const meta = isObject(metadata) ? { ...metadata } : {};
  for (const skip of [
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
  ])
    delete meta[skip];
  const body: JsonObject = Object.keys(meta).length > 0 ? { ...rest, metadata: meta } : rest;
  return leafPaths(body);
}

export const keyOf = (path: Token[]): PathKey => JSON.stringify(path);
export const pathOf = (key: PathKey): Token[] => JSON.parse(key) as Token[];

function findItem(list: Json[], token: Token): number {
  const wanted = JSON.parse(token.slice(2)) as JsonObject;
  const keys = Object.keys(wanted);
  return list.findIndex((item) => deepEqual(itemKey(keys, item), wanted));
}

/** The value at a path, or undefined. */
export function getAt(object: Json | undefined, path: Token[]): Json | undefined {
  let current: Json | undefined = object;
  for (const token of path) {
    if (token.startsWith("f:")) {
      if (!isObject(current)) return undefined;
      current = current[token.slice(2)];
    } else {
      if (!Array.isArray(current)) return undefined;
      const index = findItem(current, token);
      current = index < 0 ? undefined : current[index];
    }
  }
  return current;
}

/** Removes the field or list item at a path; a missing path is already removed. */
export function removeAt(object: JsonObject, path: Token[]): void {
  const parent = getAt(object, path.slice(0, -1));
  const last = path.at(-1);
  if (!last) return;
  if (last.startsWith("f:") && isObject(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const index = findItem(parent, last);
    if (index >= 0) parent.splice(index, 1);
  }
}

/** Applies a partial object onto a live one: maps key by key, keyed lists item by item, the rest replaced. */
export function mergeApplied(live: Json | undefined, applied: Json, field = ""): Json {
  if (isObject(applied)) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [key, value] of Object.entries(applied)) out[key] = mergeApplied(out[key], value, key);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const keys = listKeys(field, applied);
    if (!keys || !keyedItems(field, live) || !keyedItems(field, applied)) return structuredClone(applied);
    const out = live.map((item) => structuredClone(item));
    for (const item of applied) {
      const key = JSON.stringify(itemKey(keys, item));
      const index = out.findIndex((existing) => JSON.stringify(itemKey(keys, existing)) === key);
      if (index >= 0) out[index] = mergeApplied(out[index], item, "");
      else out.push(structuredClone(item));
    }
    return out;
  }
  return structuredClone(applied);
}

/** FieldsV1 of a set of paths; keyed-list items carry `"."`, as the API server writes them. */
export function toFieldsV1(paths: Iterable<PathKey>): JsonObject {
  const root: JsonObject = {};
  for (const key of paths) {
    let node = root;
    const path = pathOf(key);
    for (const token of path) {
      if (!isObject(node[token])) node[token] = {};
      node = node[token] as JsonObject;
    }
    if (path.at(-1)?.startsWith("k:")) node["."] = {};
  }
  return root;
}

export function fromFieldsV1(fields: Json | undefined, prefix: Token[] = []): Set<PathKey> {
  const out = new Set<PathKey>();
  if (!isObject(fields)) return out;
  const entries = Object.entries(fields);
  if (entries.length === 0 && prefix.length > 0) out.add(keyOf(prefix));
  for (const [token, child] of entries) {
    if (token === ".") {
      out.add(keyOf(prefix));
      continue;
    }
    for (const key of fromFieldsV1(child, [...prefix, token])) out.add(key);
  }
  return out;
}

/** `.spec.template.spec.containers[name="app"].image`, as conflict messages print paths. */
export function describePath(path: Token[]): string {
  return path
    .map((token) => {
      if (token.startsWith("f:")) return `.${token.slice(2)}`;
      const key = JSON.parse(token.slice(2)) as JsonObject;
      const parts = Object.entries(key).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
      return `[${parts.join(",")}]`;
    })
    .join("");
}

/** Whether `inner` is `outer` or lies under it. */
export function isUnder(inner: PathKey, outer: PathKey): boolean {
  return inner === outer || inner.startsWith(outer.slice(0, -1) + ",");
}
