import * as catalog from "../../protocol/catalog/opnsense.ts";
import { type PropertyMap, ProviderError } from "../../protocol/index.ts";
import { crud, type Fields } from "./api.ts";
import type { ItemSpec, TypeContext } from "./item-type.ts";
import { type Marker, markerText, parseMarker } from "./marker.ts";
import { field, setIf, str } from "./schema.ts";

const needs = { needs: "the os-haproxy plugin (System > Firmware > Plugins)" };
export const SERVERS = crud(
  "haproxy/settings",
  "server",
  "server",
  { apply: "haproxy/service/reconfigure", ...needs },
  "servers",
);
export const BACKENDS = crud(
  "haproxy/settings",
  "backend",
  "backend",
  { apply: "haproxy/service/reconfigure", ...needs },
  "backends",
);
export const FRONTENDS = crud(
  "haproxy/settings",
  "frontend",
  "frontend",
  { apply: "haproxy/service/reconfigure", ...needs },
  "frontends",
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** HAProxy names allow `[0-9A-Za-z._-]`: the default is the deployment and resource name. */
export const defaultName = (marker: Pick<Marker, "deploymentId" | "name">, suffix = "") =>
  `${marker.deploymentId}-${marker.name}${suffix}`.replace(/[^0-9A-Za-z._-]/g, "_").slice(0, 255);

function nameField(p: PropertyMap, marker: Marker): string {
  return str(p, "name") ?? defaultName(marker);
}
function nameProperty(out: PropertyMap, f: Fields, marker: Marker | undefined): void {
  if (f.name && (!marker || f.name !== defaultName(marker))) out["name"] = f.name;
}

export const haproxyServer: ItemSpec = {
  ...catalog.haproxyServerType,
  collection: SERVERS,
  markerField: "description",
  defaults: { description: "" },
  async toFields(p, _context, marker) {
    return {
      enabled: "1",
      name: nameField(p, marker),
      address: field(p["address"]),
      port: field(p["port"]),
      mode: "active",
      type: "static",
      weight: field(p["weight"]),
      description: field(p["description"]),
    };
  },
  fromFields(f, _context, marker) {
    const out: PropertyMap = { address: f.address ?? "" };
    if (f.port) out["port"] = Number(f.port);
    if (f.weight) out["weight"] = Number(f.weight);
    setIf(out, "description", f.description);
    nameProperty(out, f, marker);
    return out;
  },
  makeOutputs: (id) => ({ id }),
  // A backend's own servers are part of that backend, not resources of their own.
  hidden: (_fields, marker) => marker?.part === "server",
};

function splitAddress(entry: string): { address: string; port: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (v6) return { address: v6[1]!, port: v6[2] ?? "" };
  const parts = entry.split(":");
  return parts.length === 2 ? { address: parts[0]!, port: parts[1]! } : { address: entry, port: "" };
}
const joinAddress = (address: string, port: string) =>
  port ? `${address.includes(":") ? `[${address}]` : address}:${port}` : address;

async function ownedServers(context: TypeContext, owner: Pick<Marker, "deploymentId" | "name">) {
  return (await context.api(SERVERS).search()).filter((row) => {
    const marker = parseMarker(row.description ?? "").marker;
    return (
      marker?.part === "server" && marker.deploymentId === owner.deploymentId && marker.name === owner.name
    );
  });
}

/** Owned servers that the backend no longer links, removed once the backend lets go of them (safe-delete). */
async function pruneServers(context: TypeContext, backend: Fields | undefined, owner: Marker | undefined) {
  if (!owner) return;
  const linked = new Set((backend?.linkedServers ?? "").split(",").filter(Boolean));
  for (const row of await ownedServers(context, owner))
    if (!linked.has(row.uuid)) await context.api(SERVERS).del(row.uuid);
}

export const haproxyBackend: ItemSpec = {
  ...catalog.haproxyBackendType,
  collection: BACKENDS,
  markerField: "description",
  defaults: { balance: "source", servers: [], description: "" },
  fieldNames: { linkedServers: "servers", algorithm: "balance" },
  async toFields(p, context, marker) {
    const owner = { deploymentId: marker.deploymentId, name: marker.name };
    const owned = await ownedServers(context, owner);
    const servers = context.api(SERVERS);
    const linked: string[] = [];
    for (const entry of Array.isArray(p["servers"]) ? p["servers"].map(String) : []) {
      if (UUID.test(entry)) {
        if (!(await servers.get(entry)))
          throw new ProviderError(
            "VALIDATION_FAILED",
            `servers: ${entry} is not an HAProxy server on the firewall`,
          );
        linked.push(entry);
        continue;
      }
      const { address, port } = splitAddress(entry);
      const found = owned.find(
        (row) => row.address === address && (row.port ?? "") === port && !linked.includes(row.uuid),
      );
      if (found) linked.push(found.uuid);
      else {
        const uuid = await servers.add({
          enabled: "1",
          name: defaultName(owner, `-${address}-${port || "any"}`),
          address,
          port,
          mode: "active",
          type: "static",
          description: markerText({ ...owner, part: "server" }),
        });
        if (uuid) linked.push(uuid);
      }
    }
    return {
      enabled: "1",
      name: nameField(p, marker),
      mode: field(p["mode"], "http"),
      algorithm: field(p["balance"], "source"),
      linkedServers: linked.join(","),
      description: field(p["description"]),
    };
  },
  async fromFields(f, context, marker) {
    const ids = (f.linkedServers ?? "").split(",").filter(Boolean);
    const rows = ids.length ? await context.api(SERVERS).search() : [];
    const servers = ids.map((id) => {
      const row = rows.find((entry) => entry.uuid === id);
      const owned = row && parseMarker(row.description ?? "").marker?.part === "server";
      return owned ? joinAddress(row.address ?? "", row.port ?? "") : id;
    });
    const out: PropertyMap = { mode: f.mode ?? "http", servers };
    setIf(out, "balance", f.algorithm);
    setIf(out, "description", f.description);
    nameProperty(out, f, marker);
    return out;
  },
  makeOutputs: (id) => ({ id }),
  async afterWrite(id, _previous, context) {
    await ensureHaproxyEnabled(context);
    const now = await context.api(BACKENDS).get(id);
    await pruneServers(context, now, parseMarker(now?.description ?? "").marker);
  },
  async afterDelete(_id, previous, context) {
    await pruneServers(context, undefined, parseMarker(previous.description ?? "").marker);
  },
};

const bindAddress = (bind: string | undefined) => {
  const match = bind ? catalog.HAPROXY_BIND.exec(bind) : null;
  const host = match?.groups?.["v6"] ?? match?.groups?.["host"];
  return host === undefined || host === "" || host === "*" ? "0.0.0.0" : host;
};

export const haproxyFrontend: ItemSpec = {
  ...catalog.haproxyFrontendType,
  collection: FRONTENDS,
  markerField: "description",
  defaults: { mode: "http", description: "" },
  fieldNames: { defaultBackend: "backend" },
  async toFields(p, _context, marker) {
    return {
      enabled: "1",
      name: nameField(p, marker),
      bind: field(p["bind"]),
      mode: field(p["mode"], "http"),
      defaultBackend: field(p["backend"]),
      description: field(p["description"]),
    };
  },
  fromFields(f, _context, marker) {
    const out: PropertyMap = { bind: f.bind ?? "", backend: f.defaultBackend ?? "" };
    setIf(out, "mode", f.mode);
    setIf(out, "description", f.description);
    nameProperty(out, f, marker);
    return out;
  },
  makeOutputs: (id, f) => ({ id, ip: bindAddress(f.bind) }),
  afterWrite: (_id, _previous, context) => ensureHaproxyEnabled(context),
};

/** HAProxy does nothing until the service is on: turn it on (model-wide set) when it is off. */
export async function ensureHaproxyEnabled(context: TypeContext): Promise<void> {
  const body = (await context.client.get("haproxy/settings/get")) as {
    haproxy?: { general?: { enabled?: string } };
  };
  if (body.haproxy?.general?.enabled === "1") return;
  await context.client.post("haproxy/settings/set", { haproxy: { general: { enabled: "1" } } });
}
