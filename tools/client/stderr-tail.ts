/** Values shorter than this are too common to redact without mangling ordinary text. */
const MIN_SECRET_LENGTH = 4;

/**
 * Keeps the last `limit` characters a server wrote to stderr, for error messages. Values from the
 * server's own config (env, headers) are redacted: they are often API keys.
 */
export class StderrTail {
  private text = "";
  private readonly limit: number;
  private readonly secrets: string[];

  constructor(limit: number, secrets: Iterable<string> = []) {
    this.limit = limit;
    // Longest first, so that a secret containing another is replaced whole.
    this.secrets = [...new Set(secrets)]
      .filter((value) => value.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length);
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
    let text = this.text;
    for (const secret of this.secrets) text = text.split(secret).join("[redacted]");
    return text.length > this.limit ? text.slice(-this.limit) : text;
  }
}
