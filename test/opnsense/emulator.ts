import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { CrudRoutes } from "./crud-routes.ts";
import {
  type Collection,
  type Config,
  type Item,
  NETWORK_COLLECTIONS,
  norm,
  versionAtLeast,
} from "./models.ts";
import { GROUPS, SERVICE_COLLECTIONS } from "./services.ts";

const COLLECTIONS = [...NETWORK_COLLECTIONS, ...SERVICE_COLLECTIONS];

/**
 * A loopback emulator of the OPNsense 26.7 REST API (reference/opnsense-api.md), test infrastructure only:
 * generic MVC CRUD with upsert, staged vs applied config, validations, "in use" errors, configuration
 * history, Basic auth with per-key privileges, a version endpoint, and fault switches.
 */
export interface EmulatorOptions {
  /** `product_version` answered by core/firmware/info; decides which APIs exist. Default 26.7.2. */
  version?: string;
  port?: number;
  /** Serve HTTPS with this PEM key and certificate, as a firewall does. */
  tls?: { key: string; cert: string };
}

export interface ApiKey {
  key: string;
  secret: string;
  /** URI prefixes this key may call (`/api/firewall/`); undefined = everything. */
  privileges?: string[];
}

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
  status: number;
  response: unknown;
}

export interface Faults {
  /** Answer the Nth API call from now (counting calls that match `match`) with a 500, and the next `times - 1` too. */
  failCall?: { nth: number; match?: RegExp; message?: string; times?: number };
  /** Every call answers 401, as after the key was deleted. */
  unauthorized?: boolean;
  /** Every answer waits this long. */
  delayMs?: number;
}

/** Controllers with a model-wide get/set, and their JSON root key. */
const MODEL_SETTINGS: Record<string, string> = { "haproxy/settings": "haproxy", "kea/dhcpv4": "dhcpv4" };

const copyConfig = (config: Config): Config =>
  Object.fromEntries(
    Object.entries(config).map(([name, items]) => [
      name,
      new Map([...items].map(([id, item]) => [id, structuredClone(item)])),
    ]),
  );

export class OpnsenseEmulator {
  readonly version: string;
  readonly config: Config = Object.fromEntries(
    [...COLLECTIONS.map((c) => c.name), "settings"].map((name) => [name, new Map<string, Item>()]),
  );
  /** What the services run: a copy of each collection taken by its apply/reconfigure. */
  readonly applied: Config = copyConfig(this.config);
  readonly history: { id: string; time: number; description: string; config: Config }[] = [];
  readonly calls: RecordedCall[] = [];
  readonly keys: ApiKey[] = [];
  faults: Faults = {};
  /** Set by a filter apply that blocks the API's own port: from then on every connection is dropped. */
  lockedOut = false;
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private clock = 0;

  private readonly tls: EmulatorOptions["tls"];

  constructor(options: EmulatorOptions = {}) {
    this.version = options.version ?? "26.7.2";
    this.tls = options.tls;
    this.keys.push(this.newKey());
    this.remember("initial configuration");
  }

  newKey(privileges?: string[]): ApiKey {
    const key: ApiKey = {
      key: randomBytes(60).toString("base64"),
      secret: randomBytes(60).toString("base64"),
    };
    if (privileges) key.privileges = privileges;
    if (this.keys.length > 0) this.keys.push(key);
    return key;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error("the emulator is not listening");
    return `${this.tls ? "https" : "http"}://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = this.tls ? createHttpsServer(this.tls, handler) : createServer(handler);
    this.server.on("connection", (socket: Socket) => {
      if (this.lockedOut) return socket.destroy();
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Items of a collection as stored (staged). */
  items(collection: string): Item[] {
    return [...(this.config[collection]?.values() ?? [])];
  }

  /** A comparable dump of the whole configuration, for "exactly as before" checks. */
  dump(): Record<string, Record<string, Item>> {
    return Object.fromEntries(
      Object.entries(this.config).map(([name, items]) => [name, Object.fromEntries(items)]),
    );
  }

  /** Whether every collection's applied copy equals its staged one (nothing is pending). */
  settled(): boolean {
    return (
      JSON.stringify(this.dump()) ===
      JSON.stringify(
        Object.fromEntries(Object.entries(this.applied).map(([n, i]) => [n, Object.fromEntries(i)])),
      )
    );
  }

  private remember(description: string): void {
    this.clock = Math.max(this.clock + 1, Math.floor(Date.now() / 1000));
    this.history.unshift({
      id: `config-${this.clock}.0000.xml`,
      time: this.clock,
      description,
      config: copyConfig(this.config),
    });
  }

  private available(collection: Collection): boolean {
    return !collection.since || versionAtLeast(this.version, collection.since);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    let body: unknown;
    const send = (status: number, payload: unknown) => {
      this.calls.push({ method, path, body, status, response: payload });
      const text = payload === undefined ? "" : JSON.stringify(payload);
      setTimeout(() => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(text);
      }, this.faults.delayMs ?? 0);
    };
    if (path.startsWith("/__emulator/")) return this.control(path, raw, res);
    const route = this.route(path);
    if (!route) return send(404, { errorMessage: "Endpoint not found" });
    const auth = this.authenticate(req.headers.authorization, path);
    if (auth) return send(auth.status, auth.body);
    if (raw === "" && /json/.test(req.headers["content-type"] ?? "") && method === "POST")
      return send(400, { status: 400, message: "Invalid JSON syntax" });
    try {
      body = raw === "" ? {} : JSON.parse(raw);
    } catch {
      return send(400, { status: 400, message: "Invalid JSON syntax" });
    }
    const failing = this.faults.failCall;
    if (failing && (!failing.match || failing.match.test(path)) && --failing.nth <= 0) {
      failing.times = (failing.times ?? 1) - 1;
      if (failing.times <= 0) delete this.faults.failCall;
      return send(500, { errorMessage: failing.message ?? "Unexpected error, check log for details" });
    }
    try {
      const [status, payload] = route(method, body as Record<string, unknown>);
      send(status, payload);
    } catch (error) {
      const user = error as { userException?: string };
      if (user.userException)
        return send(500, { errorMessage: user.userException, errorTitle: "Error", errorLevel: "error" });
      send(500, { errorMessage: "Unexpected error, check log for details" });
    }
  }

  private authenticate(
    header: string | undefined,
    path: string,
  ): { status: number; body?: unknown } | undefined {
    if (!header) return { status: 401 };
    const failed = { status: 401, body: { status: 401, message: "Authentication Failed" } };
    if (this.faults.unauthorized || !header.startsWith("Basic ")) return failed;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const key = this.keys.find(
      (k) => k.key === decoded.slice(0, colon) && k.secret === decoded.slice(colon + 1),
    );
    if (!key) return failed;
    if (key.privileges && !key.privileges.some((prefix) => path.startsWith(prefix)))
      return { status: 403, body: { status: 403, message: "Forbidden" } };
    return undefined;
  }

  /** Resolves a path to a handler before auth, as the dispatcher does (unknown routes are 404 even unauthenticated). */
  private route(
    path: string,
  ): ((method: string, body: Record<string, unknown>) => [number, unknown]) | undefined {
    const parts = path.split("/").filter(Boolean);
    if (parts[0] !== "api" || parts.length < 4) return undefined;
    const controller = `${parts[1]}/${parts[2]}`;
    const action = norm(parts[3] ?? "");
    const args = parts.slice(4).map(decodeURIComponent);
    if (controller === "core/firmware" && action === "info")
      return () => [200, { product_id: "opnsense", product_version: this.version, product_name: "OPNsense" }];
    if (controller === "core/backup" && action === "backups" && args[0] === "this")
      return () => [
        200,
        { items: this.history.map(({ id, time, description }) => ({ id, time: String(time), description })) },
      ];
    if (controller === "core/backup" && action === "revertbackup" && args[0])
      return (method) => (method === "POST" ? this.revert(args[0]!) : [200, { status: "failed" }]);
    if (controller === "firewall/alias" && action === "getaliasuuid" && args[0]) {
      const name = args[0];
      return () => {
        const found = [...this.config["alias"]!].find(([, item]) => item["name"] === name);
        return [200, found ? { uuid: found[0] } : []];
      };
    }
    const model = MODEL_SETTINGS[controller];
    if (model && (action === "get" || action === "set") && args.length === 0)
      return (method, body) =>
        action === "get" ? [200, this.renderSettings(model)] : this.saveSettings(method, model, body);
    const applying = COLLECTIONS.filter(
      (c) => c.apply && this.available(c) && norm(c.apply) === norm(`${controller}/${action}`),
    );
    if (applying.length > 0) return (method) => this.apply(method, applying);
    for (const collection of COLLECTIONS) {
      if (collection.controller !== controller || !this.available(collection)) continue;
      const crud = new CrudRoutes(this, collection);
      const handler = crud.handler(action, args);
      if (handler) return handler;
    }
    return undefined;
  }

  /** Model-wide settings (reference §2): `{ "<model>": { "general": { … } } }`; interfaces as an option map. */
  private renderSettings(model: string): unknown {
    const general: Record<string, unknown> = { enabled: "0", ...this.config["settings"]!.get(model) };
    if (model === "dhcpv4") {
      const chosen = String(general["interfaces"] ?? "").split(",");
      const names = ["lan", "wan", ...this.config["assignment"]!.keys()];
      general["interfaces"] = Object.fromEntries(
        names.map((name) => [name, { value: name.toUpperCase(), selected: chosen.includes(name) ? 1 : 0 }]),
      );
    }
    return { [model]: { general } };
  }

  private saveSettings(method: string, model: string, body: Record<string, unknown>): [number, unknown] {
    const general = (body[model] as { general?: Record<string, unknown> } | undefined)?.general;
    if (method !== "POST" || !general) return [200, { result: "failed" }];
    const stored: Item = { ...this.config["settings"]!.get(model) };
    for (const [field, value] of Object.entries(general)) {
      if (!["enabled", "interfaces"].includes(field)) continue;
      if (typeof value === "object") throw new Error("array sent for a scalar");
      stored[field] = String(value);
    }
    this.config["settings"]!.set(model, stored);
    this.saved(`${model} settings`);
    return [200, { result: "saved" }];
  }

  private apply(method: string, collections: Collection[]): [number, unknown] {
    if (method !== "POST") return [200, { status: "error" }];
    // A service reconfigure also takes its model-wide settings (enabled, interfaces).
    for (const model of new Set(
      collections.map((c) =>
        c.name.startsWith("haproxy") ? "haproxy" : c.name.startsWith("kea") ? "dhcpv4" : "",
      ),
    )) {
      const settings = this.config["settings"]!.get(model);
      if (settings) this.applied["settings"]!.set(model, structuredClone(settings));
    }
    for (const collection of collections)
      this.applied[collection.name] = new Map(
        [...this.config[collection.name]!].map(([id, item]) => [id, structuredClone(item)]),
      );
    if (collections.some((c) => c.name === "rule") && this.blocksOwnPort()) {
      // pf now drops the API's own connections: model it by refusing every connection from here on.
      this.lockedOut = true;
      // The apply's own answer still goes out (its state exists); everything after is dropped.
      setTimeout(
        () => {
          for (const socket of this.sockets) socket.destroy();
        },
        (this.faults.delayMs ?? 0) + 50,
      );
    }
    const status = collections.some((c) => c.name === "rule" || c.name === "dnat") ? "OK\n\n" : "ok";
    return [200, { status }];
  }

  private blocksOwnPort(): boolean {
    const port = String((this.server?.address() as AddressInfo | undefined)?.port ?? "");
    for (const rule of this.applied["rule"]!.values()) {
      if (rule["enabled"] !== "1" || rule["action"] === "pass") continue;
      const dest = String(rule["destination_net"]);
      const ports = String(rule["destination_port"]);
      const coversHost =
        ["any", "127.0.0.1", "127.0.0.1/32", "(self)"].includes(dest) || dest.startsWith("127.0.0.0/");
      if (coversHost && (ports === "" || ports === port)) return true;
    }
    return false;
  }

  private revert(id: string): [number, unknown] {
    const entry = this.history.find((h) => h.id === id);
    if (!entry) return [200, { status: "not_found" }];
    // Restores config.xml only; no service is reconfigured (reference §5).
    for (const [name, items] of Object.entries(copyConfig(entry.config))) this.config[name] = items;
    this.remember(`reverted to ${id}`);
    return [200, { status: "reverted" }];
  }

  /** Called by CRUD routes after each saved change. */
  saved(description: string): void {
    this.remember(description);
  }

  /** Fault switches and lockout over HTTP, for a run by hand (see README). */
  private control(path: string, raw: string, res: ServerResponse): void {
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    if (path === "/__emulator/faults") {
      const failCall = body["failCall"] as { nth: number; match?: string; times?: number } | undefined;
      this.faults = {
        ...(typeof body["delayMs"] === "number" ? { delayMs: body["delayMs"] } : {}),
        ...(body["unauthorized"] === true ? { unauthorized: true } : {}),
        ...(failCall
          ? {
              failCall: {
                nth: failCall.nth,
                times: failCall.times ?? 1,
                ...(failCall.match ? { match: new RegExp(failCall.match) } : {}),
              },
            }
          : {}),
      };
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ faults: { ...this.faults }, config: this.dump(), settled: this.settled() }));
  }

  groups = GROUPS;
  newId = () => randomUUID();
}
