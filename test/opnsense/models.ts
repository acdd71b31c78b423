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

export const s = (item: Item, field: string): string => {
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

export function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const a = ipToInt(ip);
  const b = ipToInt(net ?? "");
  const n = Number(bits);
  if (a === undefined || b === undefined || !(n >= 0 && n <= 32)) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (a & mask) === (b & mask);
}

export function required(item: Item, key: string, fields: string[], out: Validations): void {
  for (const field of fields) if (s(item, field) === "") out[`${key}.${field}`] = "A value is required.";
}

export function port(item: Item, key: string, field: string, out: Validations): void {
  const value = s(item, field);
  if (value !== "" && !/^\d+$/.test(value)) out[`${key}.${field}`] = "Please specify a valid port number.";
  else if (value !== "" && (Number(value) < 1 || Number(value) > 65535))
    out[`${key}.${field}`] = "Please specify a value between 1 and 65535.";
}

export function usedBy(
  config: Config,
  collection: string,
  test: (item: Item) => boolean,
): string | undefined {
  for (const [id, item] of config[collection] ?? new Map<string, Item>())
    if (test(item))
      return `${collection} ${s(item, "description") || s(item, "descr") || s(item, "name") || id}`;
  return undefined;
}

export const csvHas = (value: string, id: string) => value.split(",").includes(id);

export const crud = (suffix: string, plural = suffix) => ({
  search: `search_${plural}`,
  get: `get_${suffix}`,
  add: `add_${suffix}`,
  set: `set_${suffix}`,
  del: `del_${suffix}`,
});

/** Action names and versions: `search_rule` and `searchRule` are the same action. */
export const norm = (action: string) => action.replace(/_/g, "").toLowerCase();

export function versionAtLeast(version: string, wanted: string): boolean {
  const a = version.split(/[._]/).map(Number);
  const b = wanted.split(/[._]/).map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** Interfaces, VLANs and the firewall's own collections. */
export const NETWORK_COLLECTIONS: Collection[] = [
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
];
