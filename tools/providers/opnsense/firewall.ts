import type { PropertyMap } from "../../protocol/index.ts";
import { crud } from "./api.ts";
import type { ItemSpec } from "./item-type.ts";
import { ruleIssues } from "./lockout.ts";
import {
  allowLockout,
  apiInterface,
  canonicalInterface,
  description,
  enumOf,
  field,
  interfaceName,
  nonEmpty,
  outputsSchema,
  portSpec,
  portValue,
  propertiesSchema,
  setIf,
  str,
} from "./schema.ts";

const RULES = crud("firewall/filter", "rule", "rule", { apply: "firewall/filter/apply" });
const ALIASES = crud("firewall/alias", "item", "alias", { apply: "firewall/alias/reconfigure" });

const PROTOCOLS = ["any", "tcp", "udp", "tcp/udp", "icmp", "esp", "ah", "gre", "igmp"];
export const protocol = enumOf(...PROTOCOLS, ...PROTOCOLS.map((name) => name.toUpperCase()));
const lower = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value);

/** The API spells protocols in capitals (TCP, TCP/UDP) but `any` in lowercase. */
export const apiProtocol = (value: unknown) =>
  value === undefined || lower(value) === "any" ? "any" : String(value).toUpperCase();

export const firewallRule: ItemSpec = {
  type: "opnsense:firewall:rule",
  description:
    "A filter rule (Firewall > Rules) through /api/firewall/filter, applied with filter/apply. " +
    "A block or reject rule that would match the API's own address and port is refused unless allowLockout: true.",
  properties: propertiesSchema(
    {
      action: enumOf("pass", "block", "reject"),
      interface: { ...interfaceName, description: "lan, wan, optN (empty: floating)" },
      direction: enumOf("in", "out", "any"),
      protocol,
      source: nonEmpty,
      destination: nonEmpty,
      port: portSpec,
      description,
      log: { type: "boolean" },
      enabled: { type: "boolean" },
      sequence: { type: "integer", minimum: 1, maximum: 999999 },
      allowLockout,
    },
    ["action"],
    [
      {
        action: "pass",
        interface: "wan",
        direction: "in",
        protocol: "tcp",
        source: "any",
        destination: "10.0.150.1",
        port: 443,
        description: "HTTPS to the portal",
      },
      {
        action: "pass",
        interface: "wan",
        direction: "in",
        protocol: "tcp",
        source: "any",
        destination: "10.0.150.1",
        port: 443,
        description: "HTTPS to the portal, logged",
        log: true,
      },
    ],
  ),
  outputs: outputsSchema(),
  collection: RULES,
  markerField: "description",
  reloadsFilter: true,
  defaults: {
    direction: "in",
    protocol: "any",
    source: "any",
    destination: "any",
    log: false,
    enabled: true,
    interface: "",
    description: "",
    allowLockout: false,
  },
  fieldNames: { source_net: "source", destination_net: "destination", destination_port: "port" },
  normalize(p) {
    const out = { ...p };
    if (out["protocol"] !== undefined) out["protocol"] = lower(out["protocol"]);
    if (out["interface"] !== undefined) out["interface"] = canonicalInterface(out["interface"]);
    if (typeof out["port"] === "string" && /^\d+$/.test(out["port"])) out["port"] = Number(out["port"]);
    return out;
  },
  validate(p, _name, context) {
    const endpoint = context.lockout.endpoint();
    const issues = endpoint ? ruleIssues(p, endpoint) : [];
    const proto = str(p, "protocol")?.toLowerCase();
    if (p["port"] !== undefined && proto !== undefined && !["tcp", "udp", "tcp/udp"].includes(proto))
      issues.push({
        path: "properties.port",
        message: `a port needs protocol tcp, udp or tcp/udp, not ${proto}`,
        severity: "error",
      });
    return issues;
  },
  async toFields(p, context) {
    return {
      enabled: field(p["enabled"], "1"),
      action: field(p["action"]),
      quick: "1",
      interface: await apiInterface(context, field(p["interface"])),
      direction: field(p["direction"], "in"),
      ipprotocol: "inet",
      // A port without a protocol means TCP, as the mock and the web UI assume.
      protocol: p["port"] !== undefined && p["protocol"] === undefined ? "TCP" : apiProtocol(p["protocol"]),
      source_net: field(p["source"], "any"),
      destination_net: field(p["destination"], "any"),
      destination_port: field(p["port"]),
      log: field(p["log"], "0"),
      sequence: field(p["sequence"], "1"),
      description: field(p["description"]),
    };
  },
  fromFields(f) {
    const out: PropertyMap = { action: f.action ?? "pass" };
    setIf(out, "interface", f.interface);
    setIf(out, "direction", f.direction);
    setIf(out, "protocol", f.protocol?.toLowerCase());
    setIf(out, "source", f.source_net);
    setIf(out, "destination", f.destination_net);
    if (f.destination_port) out["port"] = portValue(f.destination_port);
    setIf(out, "description", f.description);
    out["log"] = f.log === "1";
    out["enabled"] = f.enabled !== "0";
    if (f.sequence && f.sequence !== "1") out["sequence"] = Number(f.sequence);
    return out;
  },
  makeOutputs: (id) => ({ id }),
};

export const firewallAlias: ItemSpec = {
  type: "opnsense:firewall:alias",
  description:
    "A named list of hosts, networks or ports that rules can refer to (Firewall > Aliases), through /api/firewall/alias.",
  properties: propertiesSchema(
    {
      name: {
        type: "string",
        pattern: "^[A-Za-z_][A-Za-z0-9_]{0,31}$",
        description: "letters, digits, _; max 32",
      },
      type: enumOf("host", "network", "port", "url"),
      content: { type: "array", items: { type: ["string", "integer"] } },
      description,
      allowLockout,
    },
    ["name", "type", "content"],
    [
      { name: "portal_servers", type: "host", content: ["10.0.150.11", "10.0.150.12"] },
      { name: "portal_servers", type: "host", content: ["10.0.150.11", "10.0.150.12", "10.0.150.13"] },
    ],
  ),
  outputs: outputsSchema(),
  collection: ALIASES,
  markerField: "description",
  reloadsFilter: true,
  defaults: { description: "", allowLockout: false },
  fieldNames: {},
  normalize(p) {
    const out = { ...p };
    if (Array.isArray(out["content"]))
      out["content"] = out["content"].map((item) => (typeof item === "number" ? String(item) : item));
    return out;
  },
  async toFields(p) {
    const content = Array.isArray(p["content"]) ? p["content"].map(String) : [];
    return {
      enabled: "1",
      name: field(p["name"]),
      type: field(p["type"]),
      content: content.join("\n"),
      description: field(p["description"]),
    };
  },
  fromFields(f) {
    const out: PropertyMap = {
      name: f.name ?? "",
      type: f.type ?? "",
      content: (f.content ?? "").split("\n").filter(Boolean),
    };
    setIf(out, "description", f.description);
    return out;
  },
  makeOutputs: (id) => ({ id }),
};
