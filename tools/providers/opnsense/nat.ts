import * as catalog from "../../protocol/catalog/opnsense.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import { crud } from "./api.ts";
import { apiProtocol } from "./firewall.ts";
import type { ItemSpec } from "./item-type.ts";
import { natIssues } from "./lockout.ts";
import { apiInterface, canonicalInterface, field, portValue, setIf } from "./schema.ts";

const DNAT = crud("firewall/d_nat", "rule", "rule", {
  apply: "firewall/d_nat/apply",
  since: "26.1",
  needs: "the destination NAT API /api/firewall/d_nat",
});

export const firewallNat: ItemSpec = {
  ...catalog.natType,
  collection: DNAT,
  markerField: "descr",
  reloadsFilter: true,
  defaults: {
    protocol: "tcp",
    source: "any",
    destination: "any",
    enabled: true,
    description: "",
    allowLockout: false,
  },
  fieldNames: {
    "source.network": "source",
    "destination.network": "destination",
    "destination.port": "port",
    "local-port": "targetPort",
    descr: "description",
  },
  normalize(p) {
    const out = { ...p };
    if (typeof out["protocol"] === "string") out["protocol"] = out["protocol"].toLowerCase();
    out["interface"] = canonicalInterface(out["interface"]);
    for (const key of ["port", "targetPort"])
      if (typeof out[key] === "string" && /^\d+$/.test(out[key] as string)) out[key] = Number(out[key]);
    return out;
  },
  validate(p, _name, context) {
    const endpoint = context.lockout.endpoint();
    return endpoint ? natIssues(p, endpoint) : [];
  },
  async toFields(p, context) {
    return {
      // The flag is inverted here: `disabled`, not `enabled` (reference §3).
      disabled: p["enabled"] === false ? "1" : "0",
      interface: await apiInterface(context, field(p["interface"])),
      ipprotocol: "inet",
      protocol: apiProtocol(p["protocol"] ?? "tcp").toLowerCase(),
      "source.network": field(p["source"], "any"),
      "destination.network": field(p["destination"], "any"),
      "destination.port": field(p["port"]),
      target: field(p["target"]),
      "local-port": field(p["targetPort"]),
      descr: field(p["description"]),
    };
  },
  fromFields(f) {
    const out: PropertyMap = { interface: f.interface ?? "", target: f.target ?? "" };
    setIf(out, "protocol", f.protocol?.toLowerCase());
    setIf(out, "source", f["source.network"]);
    setIf(out, "destination", f["destination.network"]);
    if (f["destination.port"]) out["port"] = portValue(f["destination.port"]);
    if (f["local-port"]) out["targetPort"] = portValue(f["local-port"]);
    setIf(out, "description", f.descr);
    out["enabled"] = f.disabled !== "1";
    return out;
  },
  makeOutputs: (id) => ({ id }),
};
