import { isSecretDigest, isUnknown, type PropertyMap, secretDigest } from "../../tools/protocol/index.ts";
import { SENSITIVE } from "./plan-types.ts";

/** For what is printed or sent as an event: secret values become "(sensitive)". */
export function redact(
  properties: PropertyMap | undefined,
  secretKeys: readonly string[],
): PropertyMap | undefined {
  if (!properties || secretKeys.length === 0) return properties;
  const out: PropertyMap = { ...properties };
  for (const key of secretKeys) {
    const value = out[key];
    if (value !== undefined && !isUnknown(value)) out[key] = SENSITIVE;
  }
  return out;
}

/** For what is stored: secret values become a digest, which providers can still compare against. */
export function digestSecrets(properties: PropertyMap, secretKeys: readonly string[]): PropertyMap {
  if (secretKeys.length === 0) return properties;
  const out: PropertyMap = { ...properties };
  for (const key of secretKeys) {
    const value = out[key];
    if (value !== undefined && !isSecretDigest(value)) out[key] = secretDigest(value);
  }
  return out;
}
