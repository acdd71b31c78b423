import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A stored item: flat string fields, except d_nat's nested source/destination. */
export type Item = Record<string, string | Record<string, string>>;
export type Config = Record<string, Map<string, Item>>;
export type Validations = Record<string, string>;

/**
 * One MVC collection of the emulated firewall (reference §2–§5): where its actions live, its JSON key,
 * the endpoint that applies it, and its model rules.
 */
export interface Collection {
  name: string;
  /** `module/controller`, as in /api/module/controller/action. */
  controller: string;
  /** Action names (normalized later: case and `_` do not matter). */
  actions: { search: string; get: string; add: string; set: string; del: string };
  key: string;
  /** The module's apply/reconfigure action (`controller/action`); none = effective at once. */
  apply?: string;
  /** Interface assignments are keyed by name (`optN`), everything else by UUID. */
  keyedByName?: boolean;
  /** First release with this API. */
  since?: string;
  defaults: Item;
  /** Single-select option fields: rendered by get_* as `{key:{value,selected}}` maps. */
  options?: Record<string, string[]>;
  /** Fields holding ids of another collection (csv): rendered as option maps over that collection. */
  relations?: Record<string, string>;
  /** Fields a release ignores (unknown keys are silently dropped). */
  ignoredBefore?: Record<string, string>;
  validate?(item: Item, config: Config, id: string): Validations;
  /** Why a delete is refused ("in use"), if it is. */
  inUse?(id: string, item: Item, config: Config): string | undefined;
  /** Derived fields filled on save (vlan device names, certificates). */
  complete?(item: Item, config: Config, id: string): void;
}

const s = (item: Item, field: string): string => {
  const value = item[field];
  return typeof value === "string" ? value : "";
};

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
export function ipToInt(ip: string): number | undefined {
  const m = ipv4.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const a = ipToInt(ip);
  const b = ipToInt(net ?? "");
  const n = Number(bits);
  if (a === undefined || b === undefined || !(n >= 0 && n <= 32)) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (a & mask) === (b & mask);
}

function required(item: Item, key: string, fields: string[], out: Validations): void {
  for (const field of fields) if (s(item, field) === "") out[`${key}.${field}`] = "A value is required.";
}

function port(item: Item, key: string, field: string, out: Validations): void {
  const value = s(item, field);
  if (value !== "" && !/^\d+$/.test(value)) out[`${key}.${field}`] = "Please specify a valid port number.";
  else if (value !== "" && (Number(value) < 1 || Number(value) > 65535))
    out[`${key}.${field}`] = "Please specify a value between 1 and 65535.";
}

function usedBy(config: Config, collection: string, test: (item: Item) => boolean): string | undefined {
  for (const [id, item] of config[collection] ?? new Map<string, Item>())
    if (test(item))
      return `${collection} ${s(item, "description") || s(item, "descr") || s(item, "name") || id}`;
  return undefined;
}

const csvHas = (value: string, id: string) => value.split(",").includes(id);

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

const crud = (suffix: string, plural = suffix) => ({
  search: `search_${plural}`,
  get: `get_${suffix}`,
  add: `add_${suffix}`,
  set: `set_${suffix}`,
  del: `del_${suffix}`,
});

export const COLLECTIONS: Collection[] = [
  {
    name: "vlan",
    controller: "interfaces/vlan_settings",
    actions: crud("item"),
    key: "vlan",
    apply: "interfaces/vlan_settings/reconfigure",
    defaults: { if: "", tag: "", pcp: "0", proto: "", descr: "", vlanif: "" },
    options: { pcp: ["0", "1", "2", "3", "4", "5", "6", "7"], proto: ["", "802.1q", "802.1ad"] },
    validate(item, config, id) {
      const out: Validations = {};
      required(item, "vlan", ["if", "tag"], out);
      const tag = Number(s(item, "tag"));
      if (s(item, "tag") !== "" && !(Number.isInteger(tag) && tag >= 1 && tag <= 4094))
        out["vlan.tag"] = "Value should be between 1 and 4094.";
      for (const [other, entry] of config["vlan"] ?? [])
        if (other !== id && s(entry, "if") === s(item, "if") && s(entry, "tag") === s(item, "tag"))
          out["vlan.tag"] = "Tag already exists for this interface.";
      return out;
    },
    complete(item) {
      if (s(item, "vlanif") === "") item["vlanif"] = `vlan0.${s(item, "tag")}`;
    },
    inUse: (_id, item, config) =>
      usedBy(config, "assignment", (entry) => s(entry, "if") === s(item, "vlanif")),
  },
  {
    name: "assignment",
    controller: "interfaces/assignment",
    actions: crud("item"),
    key: "interface",
    apply: "interfaces/assignment/reconfigure",
    keyedByName: true,
    since: "26.7",
    defaults: {
      if: "",
      descr: "",
      identifier: "",
      lock: "0",
      enable: "1",
      type4: "none",
      ipaddr: "",
      subnet: "",
    },
    options: { type4: ["none", "static", "dhcp"] },
    ignoredBefore: { type4: "26.7.2", ipaddr: "26.7.2", subnet: "26.7.2" },
    validate(item, config, id) {
      const out: Validations = {};
      required(item, "interface", ["if"], out);
      for (const [other, entry] of config["assignment"] ?? [])
        if (other !== id && s(entry, "if") === s(item, "if"))
          out["interface.if"] = "This device is already assigned.";
      if (s(item, "ipaddr") !== "" && ipToInt(s(item, "ipaddr")) === undefined)
        out["interface.ipaddr"] = "Please specify a valid IPv4 address.";
      return out;
    },
  },
  {
    name: "rule",
    controller: "firewall/filter",
    actions: crud("rule"),
    key: "rule",
    apply: "firewall/filter/apply",
    defaults: {
      enabled: "1",
      action: "pass",
      quick: "1",
      interface: "",
      direction: "in",
      ipprotocol: "inet",
      protocol: "any",
      source_net: "any",
      source_port: "",
      destination_net: "any",
      destination_port: "",
      log: "0",
      sequence: "1",
      description: "",
    },
    options: {
      action: ["pass", "block", "reject"],
      direction: ["in", "out", "any"],
      protocol: ["any", "TCP", "UDP", "TCP/UDP", "ICMP", "IPV6-ICMP", "ESP", "AH", "GRE", "IGMP"],
    },
    validate(item) {
      const out: Validations = {};
      const proto = s(item, "protocol");
      if (s(item, "destination_port") !== "" && !["TCP", "UDP", "TCP/UDP"].includes(proto))
        out["rule.destination_port"] = "Ports are only valid for tcp or udp type protocols.";
      return out;
    },
  },
  {
    name: "alias",
    controller: "firewall/alias",
    actions: crud("item"),
    key: "alias",
    apply: "firewall/alias/reconfigure",
    defaults: { enabled: "1", name: "", type: "host", content: "", description: "" },
    options: { type: ["host", "network", "port", "url", "urltable", "geoip", "networkgroup", "mac"] },
    validate(item, config, id) {
      const out: Validations = {};
      const name = s(item, "name");
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(name))
        out["alias.name"] =
          "The name must be less than 32 characters long and may only consist of letters, digits and underscores.";
      for (const [other, entry] of config["alias"] ?? [])
        if (other !== id && s(entry, "name") === name)
          out["alias.name"] = "An alias with this name already exists.";
      return out;
    },
    inUse: (_id, item, config) => {
      const name = s(item, "name");
      const user = usedBy(config, "rule", (rule) =>
        ["source_net", "destination_net", "destination_port"].some((f) => csvHas(s(rule, f), name)),
      );
      return user ? `Alias in use by ${user}` : undefined;
    },
  },
  {
    name: "dnat",
    controller: "firewall/d_nat",
    actions: crud("rule"),
    key: "rule",
    apply: "firewall/d_nat/apply",
    since: "26.1",
    defaults: {
      disabled: "0",
      interface: "wan",
      ipprotocol: "inet",
      protocol: "tcp",
      source: { network: "any", port: "", not: "0" },
      destination: { network: "any", port: "", not: "0" },
      target: "",
      "local-port": "",
      log: "0",
      descr: "",
    },
    options: { protocol: ["tcp", "udp", "tcp/udp", "icmp", "any"] },
    validate(item) {
      const out: Validations = {};
      required(item, "rule", ["target"], out);
      port(item, "rule", "local-port", out);
      return out;
    },
  },
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
