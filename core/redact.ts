/** What a secret becomes in text the agent shows, logs or sends to a model. */
export const REDACTED = "[redacted]";

/** Values shorter than this are too common to redact without mangling ordinary text ("1", "on"). */
export const MIN_SECRET_LENGTH = 4;

export interface RedactOptions {
  /** Replaces each secret; providers use "***" in their outputs. */
  marker?: string;
  minLength?: number;
}

/**
 * One expression matching any of the secrets, longest first so that a secret containing another is
 * replaced whole; undefined when none is long enough. Build it once when the secrets are fixed.
 */
export function secretPattern(secrets: Iterable<unknown>, minLength = MIN_SECRET_LENGTH): RegExp | undefined {
  const values = new Set<string>();
  for (const value of secrets) if (typeof value === "string" && value.length >= minLength) values.add(value);
  if (values.size === 0) return undefined;
  const alternatives = [...values]
    .sort((a, b) => b.length - a.length)
    .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(alternatives.join("|"), "g");
}

/** `text` with every secret value replaced by the marker. */
export function redactSecrets(text: string, secrets: Iterable<unknown>, options: RedactOptions = {}): string {
  return redactWith(text, secretPattern(secrets, options.minLength), options.marker);
}

/** `text` with every match of a pattern from `secretPattern` replaced by the marker. */
export function redactWith(text: string, pattern: RegExp | undefined, marker = REDACTED): string {
  // A function replacement, so a "$&" in the marker is never read as a back-reference.
  return pattern ? text.replace(pattern, () => marker) : text;
}
