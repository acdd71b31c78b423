import { type ContentBlock, ModelError, type StopReason } from "./types.ts";

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Tool input must be a JSON object: that is what every tool schema here describes. */
export function checkToolInput(provider: string, name: string, input: unknown): Record<string, unknown> {
  if (isPlainObject(input)) return input;
  const shape = input === null ? "null" : Array.isArray(input) ? "an array" : `a ${typeof input}`;
  throw new ModelError(
    "malformed_response",
    `${provider} returned a call to tool "${name}" whose input is ${shape}, not an object; run again, or use a model that supports tool use`,
  );
}

/**
 * A turn the caller can act on has text or a tool call; an empty turn is malformed unless the
 * model ran out of tokens, which the caller handles by itself.
 */
export function checkUsable(provider: string, content: ContentBlock[], stopReason: StopReason): void {
  if (content.length > 0 || stopReason === "max_tokens") return;
  throw new ModelError(
    "malformed_response",
    `${provider} returned a turn with no text and no tool call; run again, or use a model that supports tool use`,
  );
}
