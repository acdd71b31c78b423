/** RFC 6902 JSON Patch over a plain JSON document, as Cloud Control applies a PatchDocument. */

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

type Container = Record<string, unknown> | unknown[];

function tokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`path ${JSON.stringify(pointer)} is not a JSON Pointer`);
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: unknown, pointer: string): { parent: Container; key: string } {
  const parts = tokens(pointer);
  const key = parts.pop();
  if (key === undefined) throw new PatchError("the whole document cannot be patched");
  let current: unknown = doc;
  for (const part of parts) {
    if (current === null || typeof current !== "object")
      throw new PatchError(`path ${pointer} does not exist`);
    current = (current as Record<string, unknown>)[part];
  }
  if (current === null || typeof current !== "object") throw new PatchError(`path ${pointer} does not exist`);
  return { parent: current as Container, key };
}

function get(doc: unknown, pointer: string): unknown {
  let current: unknown = doc;
  for (const part of tokens(pointer)) {
    if (current === null || typeof current !== "object" || !(part in (current as object)))
      throw new PatchError(`path ${pointer} does not exist`);
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function add(doc: unknown, pointer: string, value: unknown): void {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length)
      throw new PatchError(`index ${key} is out of range at ${pointer}`);
    parent.splice(index, 0, value);
  } else parent[key] = value;
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length)
      throw new PatchError(`index ${key} is out of range at ${pointer}`);
    return parent.splice(index, 1)[0];
  }
  if (!(key in parent)) throw new PatchError(`path ${pointer} does not exist`);
  const value = parent[key];
  delete parent[key];
  return value;
}

/** Applies the operations to a copy of `doc`; throws PatchError naming the bad operation. */
export function applyPatch(doc: Record<string, unknown>, operations: unknown): Record<string, unknown> {
  if (!Array.isArray(operations)) throw new PatchError("a PatchDocument is a JSON array of operations");
  const out = structuredClone(doc);
  for (const raw of operations) {
    const operation = raw as PatchOperation;
    if (typeof operation?.path !== "string") throw new PatchError("every operation needs a path");
    switch (operation.op) {
      case "add":
        add(out, operation.path, structuredClone(operation.value));
        break;
      case "remove":
        remove(out, operation.path);
        break;
      case "replace":
        remove(out, operation.path);
        add(out, operation.path, structuredClone(operation.value));
        break;
      case "move":
        add(out, operation.path, remove(out, String(operation.from)));
        break;
      case "copy":
        add(out, operation.path, structuredClone(get(out, String(operation.from))));
        break;
      case "test":
        if (JSON.stringify(get(out, operation.path)) !== JSON.stringify(operation.value))
          throw new PatchError(`test failed at ${operation.path}`);
        break;
      default:
        throw new PatchError(`unknown op ${JSON.stringify(operation.op)}`);
    }
  }
  return out;
}

/** The top-level property names an operation touches (`/Tags/0/Key` touches Tags). */
export function touchedProperties(operations: PatchOperation[]): string[] {
  const names = new Set<string>();
  for (const operation of operations) {
    for (const pointer of [operation.path, operation.from]) {
      const first = typeof pointer === "string" ? tokens(pointer)[0] : undefined;
      if (first !== undefined) names.add(first);
    }
  }
  return [...names];
}
