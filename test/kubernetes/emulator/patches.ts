import { isObject, type Json, type JsonObject } from "./fields.ts";

/** RFC 7386 JSON merge patch: null removes, objects merge, everything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

export class PatchError extends Error {}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, "/").replace(/~0/g, "~");
}

function parentOf(root: Json, pointer: string): { parent: Json; key: string } {
  const parts = pointer.split("/").slice(1).map(unescapePointer);
  const key = parts.pop();
  if (key === undefined) throw new PatchError(`invalid JSON pointer "${pointer}"`);
  let parent: Json = root;
  for (const part of parts) {
    const next: Json | undefined = Array.isArray(parent)
      ? parent[Number(part)]
      : isObject(parent)
        ? parent[part]
        : undefined;
    if (next === undefined) throw new PatchError(`doc is missing path: "${pointer}"`);
    parent = next;
  }
  return { parent, key };
}

function read(root: Json, pointer: string): Json {
  if (pointer === "") return root;
  const { parent, key } = parentOf(root, pointer);
  const value = Array.isArray(parent) ? parent[Number(key)] : isObject(parent) ? parent[key] : undefined;
  if (value === undefined) throw new PatchError(`doc is missing path: "${pointer}"`);
  return value;
}

function add(root: Json, pointer: string, value: Json): void {
  const { parent, key } = parentOf(root, pointer);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (!Number.isInteger(index) || index > parent.length)
      throw new PatchError(`index out of range: "${pointer}"`);
    parent.splice(index, 0, value);
  } else if (isObject(parent)) parent[key] = value;
  else throw new PatchError(`doc is missing path: "${pointer}"`);
}

function remove(root: Json, pointer: string): void {
  read(root, pointer);
  const { parent, key } = parentOf(root, pointer);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isObject(parent)) delete parent[key];
}

/** RFC 6902 JSON patch over a copy of the object. */
export function jsonPatch(target: JsonObject, operations: Json): JsonObject {
  if (!Array.isArray(operations)) throw new PatchError("a JSON patch is an array of operations");
  const doc = structuredClone(target) as Json;
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw["op"] !== "string" || typeof raw["path"] !== "string")
      throw new PatchError("each JSON patch operation needs op and path");
    const path = raw["path"];
    const from = typeof raw["from"] === "string" ? raw["from"] : "";
    switch (raw["op"]) {
      case "add":
        add(doc, path, structuredClone(raw["value"] ?? null));
        break;
      case "remove":
        remove(doc, path);
        break;
      case "replace":
        remove(doc, path);
        add(doc, path, structuredClone(raw["value"] ?? null));
        break;
      case "move": {
        const value = read(doc, from);
        remove(doc, from);
        add(doc, path, value);
        break;
      }
      case "copy":
        add(doc, path, structuredClone(read(doc, from)));
        break;
      case "test":
        if (JSON.stringify(read(doc, path)) !== JSON.stringify(raw["value"]))
          throw new PatchError(`testing value ${path} failed`);
        break;
      default:
        throw new PatchError(`unexpected kind: ${raw["op"]}`);
    }
  }
  if (!isObject(doc)) throw new PatchError("the patched document is not an object");
  return doc;
}
