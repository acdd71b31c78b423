import { type PropertyMap, ProviderError } from "../../protocol/index.ts";
import { crud, type Fields } from "./api.ts";
import { versionAtLeast } from "./client.ts";
import type { ItemSpec } from "./item-type.ts";
import {
  ASSIGNMENTS,
  description,
  field,
  ipv4Cidr,
  nonEmpty,
  outputsSchema,
  propertiesSchema,
  setIf,
  str,
} from "./schema.ts";

const VLANS = crud("interfaces/vlan_settings", "item", "vlan", {
  apply: "interfaces/vlan_settings/reconfigure",
});

export const vlan: ItemSpec = {
  type: "opnsense:network:vlan",
  description:
    "An 802.1Q VLAN on a parent interface (Interfaces > Devices > VLAN), through /api/interfaces/vlan_settings.",
  properties: propertiesSchema(
    {
      tag: { type: "integer", minimum: 1, maximum: 4094, description: "VLAN id, unique per parent" },
      interface: { type: "string", pattern: "^[A-Za-z0-9_.]+$", description: "the parent device, e.g. igc2" },
      description,
      pcp: { type: "integer", minimum: 0, maximum: 7 },
    },
    ["tag", "interface"],
    [
      { tag: 150, interface: "igc2", description: "customer portal" },
      { tag: 151, interface: "igc2", description: "customer portal (moved)", pcp: 3 },
    ],
  ),
  outputs: outputsSchema({ device: { type: "string", description: "the VLAN device, e.g. vlan0.150" } }, [
    "id",
    "device",
  ]),
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
  type: "opnsense:network:interface",
  description:
    "An interface assignment (Interfaces > Assignments) through 26.7's /api/interfaces/assignment; its id is the interface name (optN). " +
    "A static ipv4 needs 26.7.2, where the assignment API gained address settings.",
  properties: propertiesSchema(
    {
      device: { ...nonEmpty, description: "the device to assign, e.g. vlan0.150" },
      ipv4: { ...ipv4Cidr, description: "the interface address with its prefix, e.g. 10.0.150.1/24" },
      description,
      enabled: { type: "boolean" },
    },
    ["device"],
    [
      { device: "vlan0.150", ipv4: "10.0.150.1/24", description: "portal" },
      { device: "vlan0.150", ipv4: "10.0.150.254/24", description: "portal gateway" },
    ],
  ),
  outputs: outputsSchema({ ip: { type: "string", description: "the address without prefix" } }),
  collection: ASSIGNMENTS,
  markerField: "descr",
  replaceOnChange: ["device"],
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
