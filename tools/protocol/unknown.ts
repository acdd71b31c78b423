/**
 * A value the orchestrator cannot know before apply (it depends on an output still to come) reaches
 * validateConfig and planDeployment as `{ "$unknown": "<reference text>" }` (design §3).
 */
export const UNKNOWN_KEY = "$unknown";

export type UnknownValue = { readonly $unknown: string };

export function unknownValue(reference: string): UnknownValue {
  return { $unknown: reference };
}

export function isUnknown(value: unknown): value is UnknownValue {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Record<string, unknown>)[UNKNOWN_KEY] === "string" &&
    Object.keys(value).length === 1
  );
}

/** True when the value holds an unknown anywhere inside it. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}
