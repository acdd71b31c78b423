import { isUnknown, unknownValue } from "../../tools/protocol/index.ts";

/** `${name.path}` or `${provider:module:name.path}` (design §4b). */
const REFERENCE = /\$\{([^}]*)\}/g;

export interface Reference {
  /** The whole text, `${app-1.ip}`. */
  text: string;
  /** The resource it names. */
  target: string;
  /** The type prefix written before the name (`aws:ec2`), if any. */
  typePrefix?: string;
  /** The output or property path after the name: ["ip"], ["endpoints", 0]. */
  path: (string | number)[];
  /** Where in the referring resource's properties it sits (`servers[0]`). */
  at: string;
}

export interface ReferenceSyntaxError {
  text: string;
  at: string;
  message: string;
}

function parsePath(raw: string): (string | number)[] | undefined {
  const parts: (string | number)[] = [];
  for (const segment of raw.split(".")) {
    const match = /^([A-Za-z_$][\w$-]*)((?:\[\d+\])*)$/.exec(segment);
    if (!match) return undefined;
    parts.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

export function parseReference(inner: string): Omit<Reference, "text" | "at"> | string {
  const dot = inner.indexOf(".");
  if (dot <= 0) return "a reference is ${name.output}, e.g. ${app-1.ip}";
  const head = inner.slice(0, dot);
  const path = parsePath(inner.slice(dot + 1));
  if (!path) return `"${inner.slice(dot + 1)}" is not an output path (use names and [index])`;
  const segments = head.split(":");
  const target = segments.at(-1) ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(target)) return `"${target}" is not a resource name`;
  if (segments.length === 1) return { target, path };
  return { target, typePrefix: segments.slice(0, -1).join(":"), path };
}

function childPath(at: string, key: string | number): string {
  return typeof key === "number" ? `${at}[${key}]` : at ? `${at}.${key}` : key;
}

/** Every reference inside a property value, with where it sits. */
export function findReferences(
  value: unknown,
  at = "",
): { references: Reference[]; errors: ReferenceSyntaxError[] } {
  const references: Reference[] = [];
  const errors: ReferenceSyntaxError[] = [];
  const visit = (node: unknown, where: string) => {
    if (typeof node === "string") {
      for (const match of node.matchAll(REFERENCE)) {
        const parsed = parseReference(match[1]!.trim());
        if (typeof parsed === "string") errors.push({ text: match[0], at: where, message: parsed });
        else references.push({ ...parsed, text: match[0], at: where });
      }
    } else if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, childPath(where, index));
    } else if (typeof node === "object" && node !== null) {
      for (const [key, item] of Object.entries(node)) visit(item, childPath(where, key));
    }
  };
  visit(value, at);
  return { references, errors };
}

export function readPath(root: unknown, path: readonly (string | number)[]): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    // Own keys only: a path never reaches into Object.prototype (`__proto__`, `constructor`).
    if (!Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/** Looks a reference up: a value, `undefined` when not known yet. */
export type ReferenceLookup = (reference: Omit<Reference, "at">) => unknown;

/**
 * Substitutes references. A string that is only a reference takes the value's own type; inside a
 * longer string the value is interpolated. A value not known yet becomes `{ $unknown: text }`
 * (the whole string, when the reference sits inside a longer one).
 */
export function resolveReferences<T>(value: T, lookup: ReferenceLookup): T {
  const resolve = (node: unknown): unknown => {
    if (typeof node === "string") {
      if (!node.includes("${")) return node;
      const whole = /^\$\{([^}]*)\}$/.exec(node);
      if (whole) {
        const parsed = parseReference(whole[1]!.trim());
        if (typeof parsed === "string") return node;
        const found = lookup({ ...parsed, text: node });
        return found === undefined ? unknownValue(node) : found;
      }
      let unknown = false;
      const text = node.replace(REFERENCE, (match, inner: string) => {
        const parsed = parseReference(inner.trim());
        if (typeof parsed === "string") return match;
        const found = lookup({ ...parsed, text: match });
        if (found === undefined || isUnknown(found)) {
          unknown = true;
          return match;
        }
        return typeof found === "string" ? found : JSON.stringify(found);
      });
      return unknown ? unknownValue(node) : text;
    }
    if (Array.isArray(node)) return node.map(resolve);
    if (typeof node === "object" && node !== null) {
      if (isUnknown(node)) return node;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = resolve(item);
      return out;
    }
    return node;
  };
  return resolve(value) as T;
}
