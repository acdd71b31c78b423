import { redactWith, secretPattern } from "../../core/redact.ts";

/**
 * Keeps the last `limit` characters a server wrote to stderr, for error messages. Values from the
 * server's own config (env, headers) are redacted: they are often API keys.
 */
export class StderrTail {
  private text = "";
  private readonly limit: number;
  private readonly secrets: RegExp | undefined;

  constructor(limit: number, secrets: Iterable<string> = []) {
    this.limit = limit;
    this.secrets = secretPattern(secrets);
  }

  append(chunk: Buffer | string): void {
    this.text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    // Keep some slack so a secret cut at the boundary is still whole when redacted.
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit * 2);
  }

  clear(): void {
    this.text = "";
  }

  /** The redacted tail, at most `limit` characters. */
  value(): string {
    const text = redactWith(this.text, this.secrets);
    return text.length > this.limit ? text.slice(-this.limit) : text;
  }
}
