import type { PropertyMap } from "../../protocol/index.ts";
import { crud } from "./api.ts";
import type { ItemSpec } from "./item-type.ts";
import { description, field, ipv4, outputsSchema, propertiesSchema, setIf } from "./schema.ts";

const HOSTS = crud("unbound/settings", "host_override", "host", { apply: "unbound/service/reconfigure" });

export const dnsOverride: ItemSpec = {
  type: "opnsense:service:dns:override",
  description:
    "An Unbound host override: host.domain resolves to ip (Services > Unbound DNS > Overrides), through /api/unbound/settings.",
  properties: propertiesSchema(
    {
      host: { type: "string", pattern: "^(\\*|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)$" },
      domain: { type: "string", pattern: "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$" },
      ip: {
        type: "string",
        minLength: 2,
        pattern: `^(${String(ipv4["pattern"]).slice(1, -1)}|[0-9A-Fa-f:]+)$`,
      },
      description,
    },
    ["host", "domain", "ip"],
    [
      { host: "portal", domain: "example.lan", ip: "10.0.150.1" },
      { host: "portal", domain: "example.lan", ip: "10.0.150.2", description: "moved to the new LB" },
    ],
  ),
  outputs: outputsSchema({ fqdn: { type: "string" } }, ["id", "fqdn"]),
  collection: HOSTS,
  markerField: "description",
  defaults: { description: "" },
  fieldNames: { hostname: "host", server: "ip" },
  async toFields(p) {
    const ip = field(p["ip"]);
    return {
      enabled: "1",
      hostname: field(p["host"]),
      domain: field(p["domain"]),
      rr: ip.includes(":") ? "AAAA" : "A",
      server: ip,
      description: field(p["description"]),
    };
  },
  fromFields(f) {
    const out: PropertyMap = { host: f.hostname ?? "", domain: f.domain ?? "", ip: f.server ?? "" };
    setIf(out, "description", f.description);
    return out;
  },
  makeOutputs: (id, f) => ({ id, fqdn: f.hostname ? `${f.hostname}.${f.domain}` : (f.domain ?? "") }),
};
