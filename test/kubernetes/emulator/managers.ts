import {
  deepEqual,
  describePath,
  fromFieldsV1,
  getAt,
  isObject,
  isUnder,
  type Json,
  type JsonObject,
  keyOf,
  mergeApplied,
  ownableLeaves,
  type PathKey,
  pathOf,
  removeAt,
  toFieldsV1,
} from "./fields.ts";

/** One `metadata.managedFields` entry with its field set unpacked. */
interface Entry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  subresource?: string;
  fields: Set<PathKey>;
  touched: boolean;
}

export interface Conflict {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  path: string;
}

function readEntries(object: JsonObject | undefined): Entry[] {
  const meta = object?.["metadata"];
  const raw = isObject(meta) && Array.isArray(meta["managedFields"]) ? meta["managedFields"] : [];
  return raw.filter(isObject).map((entry) => ({
    manager: String(entry["manager"] ?? ""),
    operation: entry["operation"] === "Apply" ? "Apply" : "Update",
    apiVersion: String(entry["apiVersion"] ?? ""),
    time: String(entry["time"] ?? ""),
    ...(typeof entry["subresource"] === "string" ? { subresource: entry["subresource"] } : {}),
    fields: fromFieldsV1(entry["fieldsV1"]),
    touched: false,
  }));
}

function writeEntries(object: JsonObject, entries: Entry[], now: string): void {
  if (!isObject(object["metadata"])) object["metadata"] = {};
  const meta = object["metadata"] as JsonObject;
  const kept = entries.filter((entry) => entry.fields.size > 0);
  if (kept.length === 0) {
    delete meta["managedFields"];
    return;
  }
  meta["managedFields"] = kept.map((entry) => ({
    manager: entry.manager,
    operation: entry.operation,
    apiVersion: entry.apiVersion,
    time: entry.touched ? now : entry.time,
    fieldsType: "FieldsV1",
    fieldsV1: toFieldsV1([...entry.fields].sort()),
    ...(entry.subresource ? { subresource: entry.subresource } : {}),
  }));
}

/** The object without bookkeeping a client cannot apply, ready to merge into. */
function liveBase(live: JsonObject | undefined, applied: JsonObject): JsonObject {
  if (live) return structuredClone(live);
  return { apiVersion: applied["apiVersion"] ?? null, kind: applied["kind"] ?? null, metadata: {} };
}

/**
 * Server-side apply of `applied` by `manager`: conflicts with other managers' fields of a different
 * value (unless forced), merge, removal of fields this manager stopped applying that nobody else owns.
 */
export function applyByManager(
  live: JsonObject | undefined,
  applied: JsonObject,
  options: { manager: string; force: boolean; apiVersion: string; now: string },
): { object: JsonObject } | { conflicts: Conflict[] } {
  const entries = readEntries(live);
  const wanted = new Set(ownableLeaves(applied).map(keyOf));
  const conflicts: { entry: Entry; key: PathKey }[] = [];
  for (const entry of entries) {
    if (entry.manager === options.manager) continue;
    for (const key of wanted) {
      const path = pathOf(key);
      if (!entry.fields.has(key) || path.at(-1)?.startsWith("k:")) continue;
      if (!deepEqual(getAt(live, path), getAt(applied, path))) conflicts.push({ entry, key });
    }
  }
  if (conflicts.length > 0 && !options.force) {
    return {
      conflicts: conflicts.map(({ entry, key }) => ({
        manager: entry.manager,
        operation: entry.operation,
        apiVersion: entry.apiVersion,
        path: describePath(pathOf(key)),
      })),
    };
  }
  for (const { entry, key } of conflicts) {
    entry.fields.delete(key);
    entry.touched = true;
  }
  const { metadata: appliedMeta, ...appliedRest } = applied;
  const base = liveBase(live, applied);
  const merged = mergeApplied(base, appliedRest) as JsonObject;
  const { name: _n, namespace: _ns, ...metaRest } = isObject(appliedMeta) ? appliedMeta : {};
  merged["metadata"] = mergeApplied(base["metadata"] ?? {}, metaRest) as JsonObject;

  let mine = entries.find((entry) => entry.manager === options.manager && entry.operation === "Apply");
  const dropped = [...(mine?.fields ?? [])].filter((key) => !wanted.has(key));
  dropped.sort((a, b) => b.length - a.length);
  for (const key of dropped) {
    const elsewhere = entries.some(
      (entry) =>
        entry !== mine && [...entry.fields].some((field) => isUnder(field, key) || isUnder(key, field)),
    );
    if (!elsewhere) removeAt(merged, pathOf(key));
  }
  if (!mine) {
    mine = {
      manager: options.manager,
      operation: "Apply",
      apiVersion: options.apiVersion,
      time: options.now,
      fields: new Set(),
      touched: true,
    };
    entries.push(mine);
  }
  if (!sameSet(mine.fields, wanted) || mine.apiVersion !== options.apiVersion) mine.touched = true;
  mine.fields = wanted;
  mine.apiVersion = options.apiVersion;
  writeEntries(merged, entries, options.now);
  return { object: merged };
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

/**
 * An update-style write (create, PUT, merge or JSON patch): the manager silently takes every field
 * whose value it changed; fields that are gone leave every set.
 */
export function updateByManager(
  old: JsonObject | undefined,
  next: JsonObject,
  options: { manager: string; apiVersion: string; now: string; subresource?: string },
): JsonObject {
  const entries = readEntries(old);
  const nextLeaves = ownableLeaves(next).map(keyOf);
  const nextSet = new Set(nextLeaves);
  const changed = nextLeaves.filter((key) => {
    const path = pathOf(key);
    return old === undefined || !deepEqual(getAt(old, path), getAt(next, path));
  });
  const removed = old
    ? ownableLeaves(old)
        .map(keyOf)
        .filter((key) => !nextSet.has(key))
    : [];
  let mine = entries.find(
    (entry) =>
      entry.manager === options.manager &&
      entry.operation === "Update" &&
      entry.apiVersion === options.apiVersion &&
      entry.subresource === options.subresource,
  );
  for (const entry of entries) {
    for (const key of [...changed, ...removed]) {
      if (entry !== mine && entry.fields.delete(key)) entry.touched = true;
    }
    for (const key of removed) if (entry.fields.delete(key)) entry.touched = true;
  }
  if (changed.length > 0) {
    if (!mine) {
      mine = {
        manager: options.manager,
        operation: "Update",
        apiVersion: options.apiVersion,
        time: options.now,
        fields: new Set(),
        touched: true,
        ...(options.subresource ? { subresource: options.subresource } : {}),
      };
      entries.push(mine);
    }
    for (const key of changed) mine.fields.add(key);
    mine.touched = true;
  }
  const out = structuredClone(next);
  writeEntries(out, entries, options.now);
  return out;
}

/** The conflict Status message, as apimachinery words it. */
export function conflictMessage(conflicts: Conflict[]): string {
  const who = (conflict: Conflict) =>
    conflict.operation === "Apply"
      ? `"${conflict.manager}"`
      : `"${conflict.manager}" using ${conflict.apiVersion}`;
  if (conflicts.length === 1) {
    const [only] = conflicts as [Conflict];
    return `Apply failed with 1 conflict: conflict with ${who(only)}: ${only.path}`;
  }
  const byManager = new Map<string, Conflict[]>();
  for (const conflict of conflicts) {
    const list = byManager.get(who(conflict)) ?? [];
    list.push(conflict);
    byManager.set(who(conflict), list);
  }
  const blocks = [...byManager.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, list]) => [`conflicts with ${name}:`, ...list.map((item) => `- ${item.path}`)].join("\n"));
  return `Apply failed with ${conflicts.length} conflicts: ${blocks.join("\n")}`;
}

export const conflictCauses = (conflicts: Conflict[]): Json[] =>
  conflicts.map((conflict) => ({
    reason: "FieldManagerConflict",
    message:
      conflict.operation === "Apply"
        ? `conflict with "${conflict.manager}"`
        : `conflict with "${conflict.manager}" using ${conflict.apiVersion}`,
    field: conflict.path,
  }));
