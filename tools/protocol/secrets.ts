import { createHash } from "node:crypto";

/**
 * Secret values never reach state in clear: the orchestrator stores `{ "$secret": "sha256:…" }`
 * in their place, and providers compare a desired value against that digest when diffing.
 */
export const SECRET_KEY = "$secret";

export type SecretDigest = { readonly $secret: string };

export function secretDigest(value: unknown): SecretDigest {
  return { $secret: `sha256:${createHash("sha256").update(JSON.stringify(value)).digest("hex")}` };
}

export function isSecretDigest(value: unknown): value is SecretDigest {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>)[SECRET_KEY] === "string" &&
    Object.keys(value).length === 1
  );
}

/** Equality that treats a digest as equal to the value it was made from. */
export function sameSecretAware(a: unknown, b: unknown): boolean {
  // A secret that is set is never equal to one that is not (and undefined has no digest).
  if (a === undefined || b === undefined) return a === b;
  if (isSecretDigest(a) && !isSecretDigest(b)) return a.$secret === secretDigest(b).$secret;
  if (isSecretDigest(b) && !isSecretDigest(a)) return b.$secret === secretDigest(a).$secret;
  return deepEqual(a, b);
}

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
