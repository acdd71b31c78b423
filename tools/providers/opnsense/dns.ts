import * as catalog from "../../protocol/catalog/opnsense.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import { crud } from "./api.ts";
import type { ItemSpec } from "./item-type.ts";
import { field, setIf } from "./schema.ts";

const HOSTS = crud("unbound/settings", "host_override", "host", { apply: "unbound/service/reconfigure" });

export const dnsOverride: ItemSpec = {
  ...catalog.dnsOverrideType,
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
