import type { ErrorObject } from "ajv";
import { closestName } from "./closest-name.ts";
import { ProviderError } from "./errors.ts";
import type { DiffEntry, PropertyMap, ValidationIssue } from "./schemas.ts";
import { sameSecretAware } from "./secrets.ts";
import type { HandlerContext, ResourceTypeHandler } from "./type-handler.ts";
import { isUnknown } from "./unknown.ts";

export function valueAt(root: unknown, pointer: string): { found: boolean; unknownOnPath: boolean } {
  let current: unknown = root;
  if (isUnknown(current)) return { found: true, unknownOnPath: true };
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object") return { found: false, unknownOnPath: false };
    current = (current as Record<string, unknown>)[key];
    if (isUnknown(current)) return { found: true, unknownOnPath: true };
  }
  return { found: true, unknownOnPath: false };
}

function pointerToPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join("")
    .replace(/^\./, "");
}

export function ajvIssue(resource: string, error: ErrorObject): ValidationIssue {
  let path = pointerToPath(error.instancePath);
  let message = error.message ?? error.keyword;
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty?: string }).missingProperty ?? "";
    path = path ? `${path}.${missing}` : missing;
  } else if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty?: string }).additionalProperty ?? "";
    path = path ? `${path}.${extra}` : extra;
    // The parent schema (ajv's verbose mode) names the properties an unknown one may have meant.
    const known = Object.keys((error.parentSchema?.["properties"] as object | undefined) ?? {});
    const hint = closestName(extra, known);
    message = `unknown property "${extra}"${hint ? `; did you mean "${hint}"?` : ""}${
      known.length > 0 ? ` (known: ${known.join(", ")})` : ""
    }`;
  }
  return {
    resource,
    path: `properties${path ? `.${path}` : ""}`,
    message,
    severity: "error",
  };
}

/** Diffs desired properties against current ones, key by key. */
export function diffProperties(
  before: PropertyMap,
  after: PropertyMap,
  replaceOnChange: readonly string[] = [],
): DiffEntry[] {
  const diff: DiffEntry[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    if (sameSecretAware(b, a)) continue;
    const entry: DiffEntry = { path: key, forcesReplacement: replaceOnChange.includes(key) };
    if (b !== undefined) entry.before = b;
    if (a !== undefined) entry.after = a;
    diff.push(entry);
  }
  return diff;
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(runners);
  return results;
}

/** Deletes, taking "already gone" as done. */
export async function deleteTolerant(
  handler: ResourceTypeHandler,
  id: string,
  context?: HandlerContext,
): Promise<void> {
  try {
    await handler.delete(id, context);
  } catch (error) {
    if (ProviderError.isInstance(error) && error.code === "NOT_FOUND") return;
    throw error;
  }
}
