import { redactWith, secretPattern } from "../core/redact.ts";

/**
 * Known secret values of a run (config env values and headers, API keys, secret properties of the
 * spec). Everything that leaves the process towards a model, an event or a log passes through
 * `scrub`, as a last line behind the per-property redaction.
 */
export class SecretScrubber {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  /** Values shorter than this are too common to scrub without mangling ordinary text. */
  static readonly MIN_LENGTH = 6;

  add(value: unknown): void {
    if (typeof value !== "string" || value.length < SecretScrubber.MIN_LENGTH) return;
    if (this.#values.has(value)) return;
    this.#values.add(value);
    this.#pattern = undefined;
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= secretPattern(this.#values, SecretScrubber.MIN_LENGTH);
    return redactWith(text, this.#pattern);
  }

  /** A deep copy with every string scrubbed. */
  scrubDeep<T>(value: T): T {
    if (this.#values.size === 0) return value;
    const visit = (node: unknown): unknown => {
      if (typeof node === "string") return this.scrub(node);
      if (Array.isArray(node)) return node.map(visit);
      if (node && typeof node === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(node)) out[key] = visit(item);
        return out;
      }
      return node;
    };
    return visit(value) as T;
  }
}

/** Secrets named in the config: every server's env values and HTTP headers. */
export function secretsFromConfig(
  servers: Record<string, { env?: Record<string, string>; headers?: Record<string, string> }>,
  env: NodeJS.ProcessEnv,
  scrubber: SecretScrubber,
): void {
  for (const entry of Object.values(servers)) {
    for (const value of Object.values(entry.env ?? {})) scrubber.add(value);
    for (const value of Object.values(entry.headers ?? {})) scrubber.add(value);
  }
  for (const key of [
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "OPNSENSE_API_SECRET",
    "OPNSENSE_API_KEY",
  ]) {
    scrubber.add(env[key]);
  }
}
