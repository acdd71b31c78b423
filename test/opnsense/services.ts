import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Collection,
  crud,
  csvHas,
  inCidr,
  ipToInt,
  port,
  required,
  s,
  usedBy,
  type Validations,
} from "./models.ts";

/** A self-signed certificate made by the openssl CLI: test infrastructure, like a real firewall's. */
function selfSigned(commonName: string, days: string, altNames: string): { crt: string; prv: string } {
  const dir = mkdtempSync(join(tmpdir(), "opnsense-emu-cert-"));
  try {
    const san = altNames
      .split("\n")
      .filter(Boolean)
      .map((name) => `DNS:${name}`)
      .join(",");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        `/CN=${commonName.replace(/[/\\]/g, "")}`,
        "-days",
        days || "397",
        ...(san ? ["-addext", `subjectAltName=${san}`] : []),
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "crt.pem"),
      ],
      { stdio: "ignore" },
    );
    const b64 = (file: string) => Buffer.from(readFileSync(join(dir, file))).toString("base64");
    return { crt: b64("crt.pem"), prv: b64("key.pem") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** HAProxy, Unbound, Kea, certificates and users. */
export const SERVICE_COLLECTIONS: Collection[] = [
  {
    name: "haproxy_server",
    controller: "haproxy/settings",
    actions: crud("server", "servers"),
    key: "server",
    apply: "haproxy/service/reconfigure",
    defaults: {
      enabled: "1",
      name: "",
      address: "",
      port: "",
      mode: "active",
      type: "static",
      weight: "",
      description: "",
    },
    options: { mode: ["active", "backup", "disabled"], type: ["static", "template", "unix"] },
    validate(item) {
      const out: Validations = {};
      required(item, "server", ["name"], out);
      if (!/^[0-9A-Za-z._-]{1,255}$/.test(s(item, "name")))
        out["server.name"] = "Should be a string between 1 and 255 characters.";
      port(item, "server", "port", out);
      return out;
    },
    inUse: (id, _item, config) => {
      const user = usedBy(config, "haproxy_backend", (b) => csvHas(s(b, "linkedServers"), id));
      return user ? `Item in use by ${user}` : undefined;
    },
  },
  {
    name: "haproxy_backend",
    controller: "haproxy/settings",
    actions: crud("backend", "backends"),
    key: "backend",
    apply: "haproxy/service/reconfigure",
    defaults: {
      enabled: "1",
      name: "",
      mode: "http",
      algorithm: "source",
      linkedServers: "",
      description: "",
    },
    options: {
      mode: ["http", "tcp"],
      algorithm: ["source", "roundrobin", "static-rr", "leastconn", "uri", "random"],
    },
    relations: { linkedServers: "haproxy_server" },
    validate(item, config) {
      const out: Validations = {};
      required(item, "backend", ["name"], out);
      for (const server of s(item, "linkedServers").split(",").filter(Boolean))
        if (!config["haproxy_server"]?.has(server))
          out["backend.linkedServers"] = `Server ${server} not found.`;
      return out;
    },
    inUse: (id, _item, config) => {
      const user = usedBy(config, "haproxy_frontend", (f) => s(f, "defaultBackend") === id);
      return user ? `Item in use by ${user}` : undefined;
    },
  },
  {
    name: "haproxy_frontend",
    controller: "haproxy/settings",
    actions: crud("frontend", "frontends"),
    key: "frontend",
    apply: "haproxy/service/reconfigure",
    defaults: {
      enabled: "1",
      name: "",
      bind: "",
      mode: "http",
      defaultBackend: "",
      ssl_enabled: "0",
      description: "",
    },
    options: { mode: ["http", "ssl", "tcp"] },
    relations: { defaultBackend: "haproxy_backend" },
    validate(item, config) {
      const out: Validations = {};
      required(item, "frontend", ["name", "bind"], out);
      const backend = s(item, "defaultBackend");
      if (backend && !config["haproxy_backend"]?.has(backend))
        out["frontend.defaultBackend"] = "Backend not found.";
      return out;
    },
  },
  {
    name: "unbound_host",
    controller: "unbound/settings",
    actions: crud("host_override"),
    key: "host",
    apply: "unbound/service/reconfigure",
    defaults: { enabled: "1", hostname: "", domain: "", rr: "A", server: "", description: "" },
    options: { rr: ["A", "AAAA", "MX", "TXT"] },
    validate(item) {
      const out: Validations = {};
      required(item, "host", ["domain"], out);
      if (s(item, "rr") === "A" && ipToInt(s(item, "server")) === undefined)
        out["host.server"] = "A valid IPv4 address is required for an A record.";
      return out;
    },
  },
  {
    name: "kea_subnet",
    controller: "kea/dhcpv4",
    actions: crud("subnet"),
    key: "subnet4",
    apply: "kea/service/reconfigure",
    defaults: { subnet: "", pools: "", option_data_autocollect: "1", description: "" },
    validate(item) {
      const out: Validations = {};
      required(item, "subnet4", ["subnet"], out);
      const subnet = s(item, "subnet");
      for (const pool of s(item, "pools").split("\n").filter(Boolean)) {
        const ends = pool.split("-").map((part) => part.trim());
        if (!ends.every((ip) => inCidr(ip, subnet)))
          out["subnet4.pools"] = `Pool ${pool} is not within subnet ${subnet}.`;
      }
      return out;
    },
    inUse: (id, _item, config) => {
      const user = usedBy(config, "kea_reservation", (r) => s(r, "subnet") === id);
      return user ? `Item in use by ${user}` : undefined;
    },
  },
  {
    name: "kea_reservation",
    controller: "kea/dhcpv4",
    actions: crud("reservation"),
    key: "reservation",
    apply: "kea/service/reconfigure",
    defaults: { subnet: "", ip_address: "", hw_address: "", hostname: "", description: "" },
    relations: { subnet: "kea_subnet" },
    validate(item, config, id) {
      const out: Validations = {};
      required(item, "reservation", ["subnet", "ip_address", "hw_address"], out);
      const subnet = config["kea_subnet"]?.get(s(item, "subnet"));
      if (s(item, "subnet") && !subnet) out["reservation.subnet"] = "Subnet not found.";
      else if (subnet && !inCidr(s(item, "ip_address"), s(subnet, "subnet")))
        out["reservation.ip_address"] = "Address not in subnet.";
      for (const [other, entry] of config["kea_reservation"] ?? [])
        if (
          other !== id &&
          s(entry, "hw_address").toLowerCase() === s(item, "hw_address").toLowerCase() &&
          s(entry, "subnet") === s(item, "subnet")
        )
          out["reservation.hw_address"] = "Duplicate MAC address in this subnet.";
      return out;
    },
  },
  {
    name: "cert",
    controller: "trust/cert",
    actions: { search: "search", get: "get", add: "add", set: "set", del: "del" },
    key: "cert",
    since: "24.7",
    defaults: {
      action: "internal",
      descr: "",
      caref: "",
      key_type: "prime256v1",
      digest: "sha256",
      cert_type: "server_cert",
      lifetime: "397",
      commonname: "",
      altnames_dns: "",
      crt: "",
      prv: "",
    },
    options: {
      action: ["internal", "external", "import", "reissue", "manual"],
      cert_type: ["usr_cert", "server_cert", "combined_server_client"],
    },
    validate(item) {
      const out: Validations = {};
      required(item, "cert", ["descr", "commonname"], out);
      const days = Number(s(item, "lifetime"));
      if (!(Number.isInteger(days) && days >= 1 && days <= 3650))
        out["cert.lifetime"] = "Lifetime should be between 1 and 3650 days.";
      return out;
    },
    complete(item) {
      if (s(item, "action") !== "internal" && s(item, "crt") !== "") return;
      // (Re)issue when the subject or lifetime changed, as the reissue action does.
      const made = `${s(item, "commonname")}|${s(item, "lifetime")}|${s(item, "altnames_dns")}`;
      if (item["_issued"] === made) return;
      Object.assign(item, selfSigned(s(item, "commonname"), s(item, "lifetime"), s(item, "altnames_dns")));
      item["_issued"] = made;
    },
  },
  {
    name: "user",
    controller: "auth/user",
    actions: { search: "search", get: "get", add: "add", set: "set", del: "del" },
    key: "user",
    since: "25.1",
    defaults: { name: "", password: "", disabled: "0", descr: "", email: "", group_memberships: "" },
    options: { group_memberships: ["1999", "2000", "2001"] },
    validate(item, config, id) {
      const out: Validations = {};
      if (!/^[a-zA-Z0-9._-]{1,32}$/.test(s(item, "name"))) out["user.name"] = "A valid username is required.";
      for (const [other, entry] of config["user"] ?? [])
        if (other !== id && s(entry, "name") === s(item, "name"))
          out["user.name"] = "This username is already in use.";
      return out;
    },
  },
];

/** gid → group name, as the user model's option labels show them. */
export const GROUPS: Record<string, string> = { "1999": "admins", "2000": "operators", "2001": "auditors" };
