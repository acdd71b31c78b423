import * as catalog from "../../protocol/catalog/opnsense.ts";
import { type PropertyMap, ProviderError } from "../../protocol/index.ts";
import { crud, flatten } from "./api.ts";
import type { ItemSpec, TypeContext } from "./item-type.ts";
import { type Marker, parseMarker } from "./marker.ts";
import { canonicalInterface, field, setIf, str } from "./schema.ts";

const kea = { apply: "kea/service/reconfigure", since: "24.1", needs: "Kea DHCP (/api/kea/dhcpv4)" };
export const SUBNETS = crud("kea/dhcpv4", "subnet", "subnet4", kea);
export const RESERVATIONS = crud("kea/dhcpv4", "reservation", "reservation", kea);

function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255))
    return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}
function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const a = ipToInt(ip);
  const b = ipToInt(net ?? "");
  if (a === undefined || b === undefined || bits === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(b / size);
}
/** The /24 around an address: the subnet a range sits in when none is given. */
const around = (ip: string) => `${ip.split(".").slice(0, 3).join(".")}.0/24`;

/** Kea has no interface per subnet in the item: the marker's part carries it, so reads show it. */
const markerInterface = (marker: Marker | undefined) =>
  marker?.part?.startsWith("if=") ? marker.part.slice(3) : undefined;

export const dhcpRange: ItemSpec = {
  ...catalog.dhcpRangeType,
  collection: SUBNETS,
  markerField: "description",
  defaults: { description: "" },
  fieldNames: { pools: "from", subnet: "subnet" },
  normalize(p) {
    const out: PropertyMap = { ...p, interface: canonicalInterface(p["interface"]) };
    const from = str(p, "from");
    if (from && str(p, "subnet") === around(from)) delete out["subnet"];
    return out;
  },
  validate(p) {
    const from = ipToInt(str(p, "from") ?? "");
    const to = ipToInt(str(p, "to") ?? "");
    if (from !== undefined && to !== undefined && from > to)
      return [
        {
          path: "properties.to",
          message: "the range ends before it starts; swap from and to",
          severity: "error",
        },
      ];
    return [];
  },
  async toFields(p, _context, marker) {
    marker.part = `if=${field(p["interface"])}`;
    const from = field(p["from"]);
    return {
      subnet: str(p, "subnet") ?? around(from),
      pools: `${from}-${field(p["to"])}`,
      option_data_autocollect: "1",
      description: field(p["description"]),
    };
  },
  fromFields(f, _context, marker) {
    const [from, to] =
      (f.pools ?? "")
        .split("\n")[0]
        ?.split("-")
        .map((part) => part.trim()) ?? [];
    const out: PropertyMap = { interface: markerInterface(marker) ?? "", from: from ?? "", to: to ?? "" };
    if (f.subnet && from && f.subnet !== around(from)) out["subnet"] = f.subnet;
    setIf(out, "description", f.description);
    return out;
  },
  makeOutputs: (id) => ({ id }),
  async afterWrite(id, _previous, context) {
    const subnet = await context.api(SUBNETS).get(id);
    const name = markerInterface(parseMarker(subnet?.description ?? "").marker);
    if (name) await ensureKeaServes(context, name);
  },
};

/** Kea serves only the interfaces in its general settings: add the range's, and turn Kea on. */
async function ensureKeaServes(context: TypeContext, name: string): Promise<void> {
  const body = (await context.client.get("kea/dhcpv4/get")) as {
    dhcpv4?: { general?: Record<string, unknown> };
  };
  const general = flatten(body.dhcpv4?.general ?? {});
  const interfaces = (general["interfaces"] ?? "").split(",").filter(Boolean);
  if (general["enabled"] === "1" && interfaces.includes(name)) return;
  const wanted = [...new Set([...interfaces, name])].join(",");
  await context.client.post("kea/dhcpv4/set", { dhcpv4: { general: { enabled: "1", interfaces: wanted } } });
}

export const dhcpStatic: ItemSpec = {
  ...catalog.dhcpStaticType,
  collection: RESERVATIONS,
  markerField: "description",
  defaults: { description: "", hostname: "" },
  fieldNames: { ip_address: "ip", hw_address: "mac", subnet: "ip" },
  normalize(p) {
    const out: PropertyMap = { ...p, interface: canonicalInterface(p["interface"]) };
    if (typeof out["mac"] === "string") out["mac"] = out["mac"].toLowerCase().replace(/-/g, ":");
    return out;
  },
  async toFields(p, context, marker) {
    marker.part = `if=${field(p["interface"])}`;
    const ip = field(p["ip"]);
    const subnet = (await context.api(SUBNETS).search()).find((row) => row.subnet && inCidr(ip, row.subnet));
    if (!subnet)
      throw new ProviderError(
        "VALIDATION_FAILED",
        `no Kea subnet on the firewall contains ${ip}: create an opnsense:service:dhcp:range for it first (dependsOn)`,
      );
    return {
      subnet: subnet.uuid,
      ip_address: ip,
      hw_address: field(p["mac"]).toLowerCase(),
      hostname: field(p["hostname"]),
      description: field(p["description"]),
    };
  },
  fromFields(f, _context, marker) {
    const out: PropertyMap = {
      interface: markerInterface(marker) ?? "",
      mac: (f.hw_address ?? "").toLowerCase(),
      ip: f.ip_address ?? "",
    };
    setIf(out, "hostname", f.hostname);
    setIf(out, "description", f.description);
    return out;
  },
  makeOutputs: (id) => ({ id }),
};
