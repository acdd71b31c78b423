import {
  isSecretDigest,
  isUnknown,
  type PropertyMap,
  type SecretDigest,
  secretDigest,
} from "../../tools/protocol/index.ts";
import { isBareDigest, keyringOf } from "../state/secret-key.ts";
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

/**
 * What a provider compares a stored resource against. State keeps secrets as digests keyed with the
 * workspace key (see state/secret-key.ts), which no provider can check a value against. Where the
 * desired value is the one a keyed digest was made from, the provider gets that value's bare digest,
 * as it always did; any other keyed digest stays as it is and reads as changed, so a new secret is
 * still sent. An old document's bare digest passes through untouched.
 */
export function digestsForProvider(stored: PropertyMap, desired: PropertyMap | undefined): PropertyMap {
  let out: PropertyMap | undefined;
  for (const [key, value] of Object.entries(stored)) {
    const keyring = keyringOf(value);
    const wanted = desired?.[key];
    if (!keyring || wanted === undefined || isUnknown(wanted)) continue;
    if (!keyring.matches(value as SecretDigest, wanted)) continue;
    out ??= { ...stored };
    out[key] = isSecretDigest(wanted) ? wanted : secretDigest(wanted);
  }
  return out ?? stored;
}

/** `fresh` with its bare digests keyed as `stored`'s are, so a refresh compares like with like. */
export function keyedLike(stored: PropertyMap, fresh: PropertyMap): PropertyMap {
  let out: PropertyMap | undefined;
  for (const [key, value] of Object.entries(fresh)) {
    const keyring = keyringOf(stored[key]);
    if (!keyring || !isBareDigest(value)) continue;
    out ??= { ...fresh };
    out[key] = keyring.key(value);
  }
  return out ?? fresh;
}
