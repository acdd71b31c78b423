import type { Blueprint } from "../blueprint.ts";
import { slug } from "../composition.ts";

/** Unbound host overrides: each host name the goal names resolves to its address. */
export const dnsOverride: Blueprint = {
  id: "dns-override",
  description: "a DNS host override on OPNsense: a name resolves to an address",
  keywords: ["dns", "point", "resolve", "override"],
  build(composition) {
    const { goal } = composition;
    const names = goal.fqdns;
    if (names.length === 0) {
      return { missing: "a DNS override needs a full host name, e.g. 'point app.example.lan at 10.0.0.5'" };
    }
    const ip = goal.ips[0] ?? composition.links.frontendIp;
    if (!ip) {
      return {
        missing: `a DNS override needs the address ${names[0]} should resolve to, e.g. 'at 10.0.0.5'`,
      };
    }
    for (const fqdn of names) {
      const dot = fqdn.indexOf(".");
      const host = fqdn.slice(0, dot);
      const domain = fqdn.slice(dot + 1);
      composition.add({
        type: "opnsense:service:dns:override",
        name: `dns-${slug(host, "host")}`,
        properties: { host, domain, ip, description: "from the offline planner" },
      });
    }
    composition.set("host", names.join(","));
    composition.set("ip", goal.ips[0] ?? "the load balancer's address");
    const target = goal.ips[0] ?? "the load balancer";
    return { phrase: `DNS ${names.join(", ")} → ${target}` };
  },
};
