import type { Blueprint } from "../blueprint.ts";
import { assumed, slug } from "../composition.ts";

/** A static DHCP mapping: a MAC address always gets the same address. */
export const dhcpStatic: Blueprint = {
  id: "dhcp-static",
  description: "a static DHCP lease on OPNsense: a MAC address always gets one IP (and a host name)",
  keywords: ["dhcp", "static lease", "reservation", "mac"],
  build(composition) {
    const { goal } = composition;
    const mac = goal.macs[0];
    const ip = goal.ips[0];
    if (!mac || !ip) {
      const lacking = [!mac && "the MAC address", !ip && "the IP address"].filter(Boolean).join(" and ");
      return {
        missing: `a static DHCP lease needs ${lacking}, e.g. 'reserve 10.0.150.20 for 00:11:22:33:44:55 on opt1 hostname printer'`,
      };
    }
    if (goal.macs.length > 1 || goal.ips.length > 1) {
      composition.note(`built one lease (${mac} → ${ip}); name one MAC and one IP per lease`);
    }
    const defaults: string[] = [];
    const zone = goal.zone ?? "lan";
    if (!goal.zone) defaults.push("interface lan");
    const properties: Record<string, unknown> = { interface: zone, mac, ip };
    if (goal.hostname) properties["hostname"] = goal.hostname;
    composition.set("dhcpInterface", zone);
    composition.set("mac", mac);
    composition.set("leaseIp", ip);
    if (goal.hostname) composition.set("hostname", goal.hostname);
    composition.add({
      type: "opnsense:service:dhcp:static",
      name: `lease-${slug(goal.hostname ?? mac.replace(/:/g, ""), "host")}`,
      properties,
    });
    assumed(composition, "dhcp-static", defaults);
    return {
      phrase: `a static DHCP lease ${mac} → ${ip} on ${zone}${goal.hostname ? ` (${goal.hostname})` : ""}`,
    };
  },
};
