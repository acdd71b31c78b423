import * as catalog from "../../protocol/catalog/opnsense.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import { crud } from "./api.ts";
import type { ItemSpec } from "./item-type.ts";
import { ruleIssues } from "./lockout.ts";
import { apiInterface, canonicalInterface, field, portValue, setIf, str } from "./schema.ts";

const RULES = crud("firewall/filter", "rule", "rule", { apply: "firewall/filter/apply" });
const ALIASES = crud("firewall/alias", "item", "alias", { apply: "firewall/alias/reconfigure" });

const lower = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value);

/** The API spells protocols in capitals (TCP, TCP/UDP) but `any` in lowercase. */
export const apiProtocol = (value: unknown) =>
  value === undefined || lower(value) === "any" ? "any" : String(value).toUpperCase();

export const firewallRule: ItemSpec = {
  ...catalog.ruleType,
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
  ...catalog.aliasType,
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
