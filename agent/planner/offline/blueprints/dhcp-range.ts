import type { Blueprint } from "../blueprint.ts";
import { assumed } from "../composition.ts";

const OCTETS = "(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})";
/** `10.0.200.100-200`, `10.0.200.100 - 10.0.200.200`, `10.0.200.100 to .200`. */
const RANGE = new RegExp(`${OCTETS}\\s*(?:-|–|to|through)\\s*(?:${OCTETS}|\\.?(\\d{1,3}))(?![\\d.])`);

/** The DHCP pool a goal names, as two addresses, or undefined. */
export function dhcpRangeOf(text: string): { from: string; to: string } | undefined {
  const match = RANGE.exec(text);
  if (!match) return undefined;
  const from = match.slice(1, 5).map(Number);
  const to = match[5] ? match.slice(5, 9).map(Number) : [from[0]!, from[1]!, from[2]!, Number(match[9])];
  if ([...from, ...to].some((octet) => Number.isNaN(octet) || octet > 255)) return undefined;
  const value = (octets: number[]) => octets.reduce((sum, octet) => sum * 256 + octet, 0);
  if (value(to) < value(from)) return undefined;
  return { from: from.join("."), to: to.join(".") };
}

/** A DHCP pool on an interface (the goal's VLAN when it builds one). */
export const dhcpRange: Blueprint = {
  id: "dhcp-range",
  description: "a DHCP range (pool) on OPNsense: addresses from..to handed out on an interface",
  keywords: ["dhcp range", "dhcp pool", "dhcp from"],
  build(composition, intent) {
    const range = dhcpRangeOf(composition.goal.text);
    if (!range) return { missing: "a DHCP range needs its addresses, e.g. 'dhcp 10.0.200.100-200'" };
    const defaults: string[] = [];
    const { goal } = composition;
    let iface = goal.zone;
    if (!iface && intent.blueprints.includes("vlan-firewall")) {
      const vlan = intent.blueprints.includes("web-app-lb") ? "app-network" : `vlan-${goal.vlanTag ?? 150}`;
      iface = `\${${vlan}.device}`;
    }
    if (!iface) {
      iface = "lan";
      defaults.push("interface lan");
    }
    composition.add({
      type: "opnsense:service:dhcp:range",
      name: "dhcp-range",
      properties: { interface: iface, from: range.from, to: range.to },
    });
    composition.set("dhcpFrom", range.from);
    composition.set("dhcpTo", range.to);
    assumed(composition, "dhcp-range", defaults);
    return { phrase: `a DHCP range ${range.from}–${range.to}` };
  },
};
