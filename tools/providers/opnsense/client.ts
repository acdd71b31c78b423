import { readFileSync } from "node:fs";
import { ProviderError } from "../../protocol/index.ts";

/**
 * node:http and node:https from the builtin registry, when the first request is sent: an ESM import
 * of node:http reads every export of it, and its WebSocket getter loads undici (~50 ms of a start
 * that may never send a request).
 */
const requestFor = (protocol: string) =>
  protocol === "https:"
    ? process.getBuiltinModule("node:https").request
    : process.getBuiltinModule("node:http").request;

export interface ClientOptions {
  url: string;
  key: string;
  secret: string;
  /** Accept any certificate (OPNSENSE_INSECURE=1), as for a fresh firewall's self-signed one. */
  insecure?: boolean;
  /** PEM of the CA that signed the firewall's certificate (OPNSENSE_CA_FILE). */
  ca?: string;
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  body: unknown;
}

/** Reads the connection settings from the environment, with a clear error for each missing one. */
export function clientOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientOptions {
  const missing = ["OPNSENSE_URL", "OPNSENSE_API_KEY", "OPNSENSE_API_SECRET"].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ProviderError(
      "UNAUTHORIZED",
      `the OPNsense provider needs ${missing.join(", ")}: create an API key under System > Access > Users on the firewall and set them in the server's env`,
      { retryable: false },
    );
  }
  const options: ClientOptions = {
    url: env.OPNSENSE_URL!,
    key: env.OPNSENSE_API_KEY!,
    secret: env.OPNSENSE_API_SECRET!,
  };
  if (env.OPNSENSE_INSECURE === "1" || env.OPNSENSE_INSECURE === "true") options.insecure = true;
  if (env.OPNSENSE_CA_FILE) {
    try {
      options.ca = readFileSync(env.OPNSENSE_CA_FILE, "utf8");
    } catch (error) {
      throw new ProviderError(
        "VALIDATION_FAILED",
        `OPNSENSE_CA_FILE ${env.OPNSENSE_CA_FILE} cannot be read: ${(error as Error).message}`,
      );
    }
  }
  if (env.OPNSENSE_TIMEOUT_MS) options.timeoutMs = Number(env.OPNSENSE_TIMEOUT_MS);
  return options;
}

/** Maps a validation key (`rule.destination_port`) to a property name, for error messages. */
export type FieldNames = (field: string) => string;

/**
 * One firewall's REST API: Basic auth with key:secret, JSON both ways, OPNsense's answers mapped to
 * iac.mcp/v1 error codes, and one lock around every write-then-apply (concurrent config writes lose data).
 */
export class OpnsenseClient {
  readonly base: URL;
  private readonly options: ClientOptions;
  private tail: Promise<unknown> = Promise.resolve();
  private versionText: Promise<string> | undefined;

  constructor(options: ClientOptions) {
    this.options = options;
    try {
      this.base = new URL(options.url);
    } catch {
      throw new ProviderError(
        "VALIDATION_FAILED",
        `OPNSENSE_URL ${options.url} is not a URL; write it as https://fw.lan`,
      );
    }
    if (!["http:", "https:"].includes(this.base.protocol))
      throw new ProviderError(
        "VALIDATION_FAILED",
        `OPNSENSE_URL ${options.url} must start with https:// (or http://)`,
      );
  }

  /** The address and port the API is reached on, for the lockout guard. */
  get endpoint(): { host: string; port: number } {
    const port = this.base.port ? Number(this.base.port) : this.base.protocol === "https:" ? 443 : 80;
    return { host: this.base.hostname.replace(/^\[|\]$/g, ""), port };
  }

  /** Runs writes one at a time, in call order. */
  serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** The firewall's release (`26.7.2`), read once. */
  version(): Promise<string> {
    this.versionText ??= this.get("core/firmware/info").then((body) => {
      const version = (body as { product_version?: unknown }).product_version;
      if (typeof version !== "string")
        throw new ProviderError("UNAVAILABLE", "core/firmware/info did not name the release");
      return version.replace(/_\d+$/, "");
    });
    this.versionText.catch(() => (this.versionText = undefined));
    return this.versionText;
  }

  async get(path: string): Promise<unknown> {
    return this.checked("GET", path, undefined);
  }

  async post(path: string, body: unknown = {}, fields?: FieldNames): Promise<unknown> {
    const answer = await this.checked("POST", path, body);
    const result = answer as { result?: unknown; validations?: Record<string, unknown> };
    if (result && typeof result === "object" && result.result === "failed") {
      const names = fields ?? ((field: string) => field);
      const entries = Object.entries(result.validations ?? {}).map(([field, message]) => ({
        path: names(field.split(".").slice(1).join(".") || field),
        message: Array.isArray(message) ? message.join("; ") : String(message),
      }));
      const text = entries.length
        ? entries.map((entry) => `${entry.path}: ${entry.message}`).join("; ")
        : "the request was refused without details";
      throw new ProviderError("VALIDATION_FAILED", `OPNsense refused ${path}: ${text}`, {
        details: { validations: entries },
      });
    }
    return answer;
  }

  private async checked(method: string, path: string, body: unknown): Promise<unknown> {
    const answer = await this.send(method, path, body);
    const payload = answer.body as { errorMessage?: string; message?: string } | undefined;
    const where = `/api/${path}`;
    if (answer.status === 401)
      throw new ProviderError(
        "UNAUTHORIZED",
        `OPNsense at ${this.base.origin} rejected the API key and secret (HTTP 401); check OPNSENSE_API_KEY and OPNSENSE_API_SECRET`,
      );
    if (answer.status === 403)
      throw new ProviderError(
        "FORBIDDEN",
        `the API key lacks the privilege for ${where} (HTTP 403); grant it to the key's user under System > Access`,
        { details: { endpoint: where } },
      );
    if (answer.status === 404)
      throw new ProviderError(
        "UNSUPPORTED",
        `OPNsense has no endpoint ${where} (HTTP 404): the release or a missing plugin does not offer it`,
        { details: { endpoint: where } },
      );
    if (answer.status >= 500) {
      const message = payload?.errorMessage ?? `HTTP ${answer.status}`;
      if (/in use|used by|referenced/i.test(message))
        throw new ProviderError("CONFLICT", `OPNsense refused ${where}: ${message}`, {
          details: { endpoint: where },
        });
      throw new ProviderError("UNAVAILABLE", `OPNsense failed on ${where}: ${message}`, {
        details: { endpoint: where },
      });
    }
    if (answer.status >= 400)
      throw new ProviderError(
        "INTERNAL",
        `OPNsense answered ${where} with HTTP ${answer.status}: ${payload?.message ?? ""}`,
      );
    return answer.body;
  }

  /** One HTTP exchange; connection errors are UNAVAILABLE, a silent firewall TIMEOUT. */
  send(
    method: string,
    path: string,
    body: unknown,
    timeoutMs = this.options.timeoutMs ?? 30_000,
  ): Promise<Answer> {
    const url = new URL(`/api/${path}`, this.base);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const auth = Buffer.from(`${this.options.key}:${this.options.secret}`).toString("base64");
    const headers: Record<string, string> = { authorization: `Basic ${auth}`, accept: "application/json" };
    if (text !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(text));
    }
    const tls =
      url.protocol === "https:"
        ? { rejectUnauthorized: !this.options.insecure, ...(this.options.ca ? { ca: this.options.ca } : {}) }
        : {};
    const request = requestFor(url.protocol);
    return new Promise<Answer>((resolve, reject) => {
      const req = request(url, { method, headers, ...tls, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => reject(this.unreachable(error)));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = raw === "" ? undefined : JSON.parse(raw);
          } catch {
            parsed = { errorMessage: raw.slice(0, 200) };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy(
          new ProviderError(
            "TIMEOUT",
            `OPNsense at ${this.base.origin} did not answer ${method} /api/${path} within ${timeoutMs} ms`,
          ),
        );
      });
      req.on("error", (error) => reject(ProviderError.isInstance(error) ? error : this.unreachable(error)));
      req.end(text);
    });
  }

  private unreachable(error: Error): ProviderError {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code ?? "")
      ? "; for a self-signed certificate set OPNSENSE_CA_FILE (or OPNSENSE_INSECURE=1)"
      : "";
    return new ProviderError(
      "UNAVAILABLE",
      `cannot reach OPNsense at ${this.base.origin}: ${code ?? error.message}${hint}`,
    );
  }
}

/** Whether `version` (`26.7.2`) is at least `wanted` (`26.7`). */
export function versionAtLeast(version: string, wanted: string): boolean {
  const a = version.split(/[._-]/).map((part) => Number.parseInt(part, 10) || 0);
  const b = wanted.split(/[._-]/).map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}
