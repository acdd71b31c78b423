import { isUnknown, type UnknownValue, unknownValue } from "../tools/protocol/index.ts";

export { isUnknown, type UnknownValue };

/** `${name.path}` anywhere in a string (design §4b). */
const REFERENCE = /\$\{[^}]*\}/;

/**
 * Copies a property map with every string that holds a reference replaced by `{ $unknown: text }`,
 * the form providers see before apply (design §3). A spec checked before planning still has its
 * `${...}` strings; after this, rules see one shape for "not known yet" at either stage.
 */
export function markUnknowns<T>(value: T): T {
  const visit = (node: unknown): unknown => {
    if (typeof node === "string") return REFERENCE.test(node) ? unknownValue(node) : node;
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node === "object" && node !== null) {
      if (isUnknown(node)) return node;
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, visit(item)]));
    }
    return node;
  };
  return visit(value) as T;
}
