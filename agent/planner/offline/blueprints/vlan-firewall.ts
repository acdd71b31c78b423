import type { Blueprint } from "../blueprint.ts";
import { assumed } from "../composition.ts";
import { ADMIN_PORTS, SERVICES } from "../vocabulary.ts";

interface Allowed {
  label: string;
  protocol: "tcp" | "udp" | "icmp";
  port?: number;
}

/** The services and ports the goal allows, in the order it names them. */
export function allowedTraffic(
  words: string,
  ports: { port: number; protocol?: "tcp" | "udp" }[],
): Allowed[] {
  const found: { index: number; entry: Allowed }[] = [];
  for (const service of SERVICES) {
    const match = service.pattern.exec(words);
    if (!match) continue;
    const entry: Allowed = { label: service.label, protocol: service.protocol };
    if (service.port !== undefined) entry.port = service.port;
    found.push({ index: match.index, entry });
  }
  found.sort((a, b) => a.index - b.index);
  const out = found.map((item) => item.entry);
  for (const named of ports) {
    const protocol = named.protocol ?? "tcp";
    if (out.some((entry) => entry.port === named.port && entry.protocol === protocol)) continue;
    out.push({ label: `${named.port}-${protocol}`, protocol, port: named.port });
  }
  return out;
}

/** A VLAN with an address and pass rules for what the goal names, scoped to the VLAN's network. */
export const vlanFirewall: Blueprint = {
  id: "vlan-firewall",
  description:
    "a VLAN with its interface address and firewall rules for the named services, scoped to its network",
  keywords: ["vlan", "firewall", "allow https", "allow dns", "port"],
  build(composition, intent) {
    const { goal } = composition;
    const defaults: string[] = [];
    const sharing = intent.blueprints.includes("web-app-lb");
    if (!sharing && !goal.vlanTag) defaults.push("VLAN 150");
    if (!sharing && !goal.nic) defaults.push("parent interface igc2");
    const vlan = composition.vlan(
      sharing ? "app-network" : `vlan-${goal.vlanTag ?? 150}`,
      "VLAN from the offline planner",
    );
    composition.add({
      type: "opnsense:network:interface",
      name: `${vlan.name}-if`,
      properties: {
        device: `\${${vlan.name}.device}`,
        ipv4: `${vlan.gateway}/24`,
        description: `VLAN ${vlan.tag}`,
      },
    });
    // The web app's own HTTPS rule is already there; the ports it serves are not repeated.
    const webPorts = sharing
      ? new Set([composition.parameters["listenPort"], composition.parameters["appPort"]])
      : new Set();
    const allowed = allowedTraffic(goal.words, goal.ports).filter((entry) => !webPorts.has(entry.port));
    const inbound =
      /\b(?:to|into|towards)\s+(?:the\s+)?vlan\b|\binbound\b|\bincoming\b|\bfrom\s+(?:the\s+)?(?:internet|wan|outside|anywhere)\b/.test(
        goal.words,
      );
    const fromNetwork = /\bfrom\s+(\S+)/.exec(goal.text)?.[1];
    const source = inbound
      ? (goal.cidrs.find((cidr) => fromNetwork === cidr) ??
        goal.ips.find((ip) => fromNetwork === ip) ??
        "any")
      : vlan.network;
    const destination = inbound ? vlan.network : "any";
    const ruleInterface = inbound ? "wan" : (goal.zone ?? "opt1");
    if (!inbound && !goal.zone) defaults.push("the VLAN assigned as opt1 (say 'on optN' otherwise)");
    composition.set("ruleDirection", inbound ? "into the VLAN" : "out of the VLAN");
    composition.set("ruleInterface", ruleInterface);
    const refused: string[] = [];
    const opened: string[] = [];
    for (const entry of allowed) {
      if (source === "any" && entry.port !== undefined && ADMIN_PORTS.has(entry.port)) {
        refused.push(`${entry.label} (${entry.port})`);
        continue;
      }
      const properties: Record<string, unknown> = {
        action: "pass",
        interface: ruleInterface,
        direction: "in",
        protocol: entry.protocol,
        source,
        destination,
        description: `allow ${entry.label} ${inbound ? "into" : "from"} VLAN ${vlan.tag}`,
      };
      if (entry.port !== undefined) properties["port"] = entry.port;
      composition.add({
        type: "opnsense:firewall:rule",
        name: `vlan${vlan.tag}-allow-${entry.label}`,
        properties,
      });
      opened.push(entry.port === undefined ? entry.label : `${entry.port}/${entry.protocol}`);
    }
    if (refused.length > 0) {
      const text = `${refused.join(", ")} from any: admin ports are never opened to any network; say 'from 10.0.0.0/24' to allow one network`;
      if (opened.length === 0) return { missing: text };
      composition.note(`not opened: ${text}`);
    }
    if (opened.length > 0) composition.set("allow", opened.join(","));
    else if (!sharing)
      composition.note("no ports or services named: the VLAN gets no pass rules (blocked by default)");
    assumed(composition, "vlan-firewall", defaults);
    const rules =
      opened.length > 0
        ? ` allowing ${opened.join(", ")} ${inbound ? "into" : "out of"} ${vlan.network}`
        : "";
    return { phrase: `VLAN ${vlan.tag} (${vlan.network})${rules}` };
  },
};
