import * as catalog from "../../protocol/catalog/opnsense.ts";
import { type PropertyMap, ProviderError } from "../../protocol/index.ts";
import { crud, type Fields } from "./api.ts";
import { versionAtLeast } from "./client.ts";
import type { ItemSpec } from "./item-type.ts";
import { ASSIGNMENTS, field, setIf, str } from "./schema.ts";

const VLANS = crud("interfaces/vlan_settings", "item", "vlan", {
  apply: "interfaces/vlan_settings/reconfigure",
});

export const vlan: ItemSpec = {
  ...catalog.vlanType,
  collection: VLANS,
  markerField: "descr",
  defaults: { pcp: 0, description: "" },
  fieldNames: { if: "interface", descr: "description" },
  async toFields(p) {
    return {
      if: field(p["interface"]),
      tag: field(p["tag"]),
      pcp: field(p["pcp"], "0"),
      descr: field(p["description"]),
    };
  },
  fromFields(f) {
    const out: PropertyMap = { tag: Number(f.tag), interface: f.if ?? "" };
    setIf(out, "description", f.descr);
    setIf(out, "pcp", f.pcp === undefined || f.pcp === "" ? undefined : Number(f.pcp));
    return out;
  },
  makeOutputs: (id, f) => ({ id, device: f.vlanif ?? "" }),
};

function cidrParts(cidr: string | undefined): { ipaddr: string; subnet: string } | undefined {
  if (!cidr) return undefined;
  const [ipaddr, subnet] = cidr.split("/");
  return ipaddr && subnet ? { ipaddr, subnet } : undefined;
}

export const networkInterface: ItemSpec = {
  ...catalog.interfaceType,
  collection: ASSIGNMENTS,
  markerField: "descr",
  defaults: { enabled: true, description: "" },
  fieldNames: { if: "device", descr: "description", ipaddr: "ipv4", subnet: "ipv4" },
  async toFields(p, context) {
    const fields: Fields = {
      if: field(p["device"]),
      descr: field(p["description"]),
      enable: field(p["enabled"], "1"),
    };
    const address = cidrParts(str(p, "ipv4"));
    const version = await context.client.version();
    if (address && !versionAtLeast(version, "26.7.2")) {
      throw new ProviderError(
        "UNSUPPORTED",
        `opnsense:network:interface ipv4 needs OPNsense 26.7.2 or later (the assignment API gained address settings there); this firewall runs ${version}: ` +
          "leave ipv4 out and set the address under Interfaces in the web UI, or update the firewall",
        { details: { release: version, needs: "26.7.2" } },
      );
    }
    if (address) Object.assign(fields, { type4: "static", ...address });
    else if (versionAtLeast(version, "26.7.2"))
      Object.assign(fields, { type4: "none", ipaddr: "", subnet: "" });
    return fields;
  },
  fromFields(f) {
    const out: PropertyMap = { device: f.if ?? "" };
    if (f.type4 === "static" && f.ipaddr) out["ipv4"] = `${f.ipaddr}/${f.subnet}`;
    setIf(out, "description", f.descr);
    if (f.enable !== undefined) out["enabled"] = f.enable !== "0";
    return out;
  },
  makeOutputs: (id, f) => (f.type4 === "static" && f.ipaddr ? { id, ip: f.ipaddr } : { id }),
  // add_item answers without the new name: find it by its device.
  async idAfterAdd(fields, api) {
    const row = (await api.search()).find((entry) => entry.if === fields.if);
    return row ? row.identifier || row.uuid : undefined;
  },
};
