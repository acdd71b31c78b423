import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { COLLECTIONS, type Collection, type Config, GROUPS, type Item } from "./models.ts";

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

const norm = (action: string) => action.replace(/_/g, "").toLowerCase();

function versionAtLeast(version: string, wanted: string): boolean {
  const a = version.split(/[._]/).map(Number);
  const b = wanted.split(/[._]/).map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

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

/** The generic controller pattern (reference §2) for one collection. */
class CrudRoutes {
  private readonly emu: OpnsenseEmulator;
  private readonly c: Collection;

  constructor(emu: OpnsenseEmulator, c: Collection) {
    this.emu = emu;
    this.c = c;
  }

  private get items(): Map<string, Item> {
    return this.emu.config[this.c.name]!;
  }

  handler(
    action: string,
    args: string[],
  ): ((method: string, body: Record<string, unknown>) => [number, unknown]) | undefined {
    const a = this.c.actions;
    if (action === norm(a.search)) return () => [200, this.search()];
    if (action === norm(a.get)) return () => [200, this.get(args[0])];
    if (action === norm(a.add))
      return (method, body) => (method === "POST" ? this.save(undefined, body) : [200, { result: "failed" }]);
    if (action === norm(a.set) && args[0])
      return (method, body) => (method === "POST" ? this.save(args[0], body) : [200, { result: "failed" }]);
    if (action === norm(a.del) && args[0])
      return (method) => (method === "POST" ? this.del(args[0]!) : [200, { result: "failed" }]);
    return undefined;
  }

  private search() {
    const rows = [...this.items].map(([id, item]) => {
      const row: Record<string, string> = { uuid: id };
      for (const [field, value] of Object.entries(item)) {
        if (field.startsWith("_")) continue;
        if (typeof value === "string") row[field] = field === "password" ? "" : value;
        else for (const [sub, v] of Object.entries(value)) row[`${field}.${sub}`] = v;
      }
      return row;
    });
    return { total: rows.length, rowCount: rows.length, current: 1, rows };
  }

  private render(item: Item): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(item)) {
      if (field.startsWith("_")) continue;
      if (field === "password") out[field] = "";
      else if (this.c.options?.[field] && typeof value === "string") {
        const chosen = value.split(",");
        out[field] = Object.fromEntries(
          this.c.options[field]!.map((key) => [
            key,
            { value: this.emu.groups[key] ?? key, selected: chosen.includes(key) ? 1 : 0 },
          ]),
        );
      } else if (this.c.relations?.[field] && typeof value === "string") {
        const chosen = value.split(",");
        const target = this.emu.config[this.c.relations[field]!]!;
        out[field] = Object.fromEntries(
          [...target].map(([id, t]) => [
            id,
            { value: String(t["name"] ?? t["subnet"] ?? id), selected: chosen.includes(id) ? 1 : 0 },
          ]),
        );
      } else out[field] = value;
    }
    return out;
  }

  private get(id: string | undefined): unknown {
    if (id === undefined) return { [this.c.key]: this.render(structuredClone(this.c.defaults)) };
    const item = this.items.get(id);
    return item ? { [this.c.key]: this.render(item) } : [];
  }

  private save(id: string | undefined, body: Record<string, unknown>): [number, unknown] {
    const input = body[this.c.key];
    if (!input || typeof input !== "object" || Array.isArray(input)) return [200, { result: "failed" }];
    if (
      id !== undefined &&
      !this.c.keyedByName &&
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
    )
      return [200, { result: "failed" }];
    const existing = id !== undefined ? this.items.get(id) : undefined;
    const item: Item = structuredClone(existing ?? this.c.defaults);
    for (const [field, value] of Object.entries(input as Record<string, unknown>)) {
      if (!(field in this.c.defaults) || field.startsWith("_")) continue; // unknown keys are ignored
      const since = this.c.ignoredBefore?.[field];
      if (since && !versionAtLeast(this.emu.version, since)) continue;
      const current = this.c.defaults[field];
      if (typeof current === "object") {
        if (!value || typeof value !== "object" || Array.isArray(value))
          throw new Error("scalar where an object was expected");
        item[field] = { ...(item[field] as Record<string, string>), ...(value as Record<string, string>) };
      } else {
        if (typeof value === "object" && value !== null) throw new Error("array sent for a scalar");
        item[field] = String(value);
      }
    }
    const newId = id ?? (this.c.keyedByName ? this.nextIfName() : this.emu.newId());
    const validations = this.c.validate?.(item, this.emu.config, newId) ?? {};
    if (Object.keys(validations).length > 0) return [200, { result: "failed", validations }];
    if (this.c.keyedByName) item["identifier"] = newId;
    this.c.complete?.(item, this.emu.config, newId);
    this.items.set(newId, item);
    this.emu.saved(`${this.c.controller} ${id ? "set" : "add"} ${newId}`);
    // Assignments answer add without the new name: clients find it by its device (reference §5).
    return [200, id || this.c.keyedByName ? { result: "saved" } : { result: "saved", uuid: newId }];
  }

  private nextIfName(): string {
    let n = 1;
    while (this.items.has(`opt${n}`)) n++;
    return `opt${n}`;
  }

  private del(ids: string): [number, unknown] {
    let result = "not found";
    for (const id of ids.split(",")) {
      const item = this.items.get(id);
      if (!item) {
        result = "not found";
        continue;
      }
      const user = this.c.inUse?.(id, item, this.emu.config);
      if (user) throw Object.assign(new Error(user), { userException: user });
      this.items.delete(id);
      result = "deleted";
    }
    if (result === "deleted") this.emu.saved(`${this.c.controller} del ${ids}`);
    return [200, { result }];
  }
}
