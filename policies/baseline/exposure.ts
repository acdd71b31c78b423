import type { DeploymentReport, PolicyDeployment, PolicyResource } from "../types.ts";
import { isUnknown } from "../unknowns.ts";
import {
  ADMIN_PORTS,
  type Alias,
  type Aliases,
  describeList,
  FIREWALL_UI_PORTS,
  isAnyAddress,
  isFirewallItself,
  type PortSet,
  portSet,
  portsHit,
  rangeSet,
} from "./net.ts";

export const NO_PUBLIC_ADMIN_PORT = "no-public-admin-port";
export const NO_ANY_ANY_PASS = "no-any-any-pass";

type Report = (resource: string, rule: string, path: string, message: string) => void;

const PORTED_PROTOCOLS = new Set(["tcp", "udp", "tcp/udp", "any"]);

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value.trim().toLowerCase() : undefined;
}

/** Whether a rule's protocol carries ports (ICMP, ESP… do not). Unknown protocols are not judged. */
function carriesPorts(protocol: unknown): boolean {
  if (protocol === undefined || protocol === null) return true;
  const name = text(protocol);
  return name !== undefined && PORTED_PROTOCOLS.has(name);
}

function adminHits(set: PortSet, alsoUi: boolean): string[] {
  const hits = portsHit(set, ADMIN_PORTS);
  if (alsoUi) hits.push(...portsHit(set, FIREWALL_UI_PORTS));
  return hits;
}

function opening(set: PortSet, hits: string[]): string {
  return set.all
    ? `every port, ${describeList(hits.map((hit) => hit.replace(/ \(\d+\)$/, "")))} included,`
    : describeList(hits);
}

function collectAliases(deployment: PolicyDeployment): Aliases {
  const aliases = new Map<string, Alias>();
  for (const resource of deployment.resources) {
    if (resource.type !== "opnsense:firewall:alias") continue;
    const { name, type, content } = resource.properties;
    if (typeof name === "string" && typeof type === "string" && Array.isArray(content)) {
      aliases.set(name, { type, content });
    }
  }
  return aliases;
}

function checkFirewallRule(resource: PolicyResource, aliases: Aliases, report: Report): void {
  const props = resource.properties;
  if (props["enabled"] === false) return;
  // OPNsense's default action is pass; an action not known yet is not judged.
  const action = props["action"] === undefined ? "pass" : text(props["action"]);
  if (action !== "pass") return;
  const fromAnywhere = isAnyAddress(props["source"], aliases);
  if (fromAnywhere && isAnyAddress(props["destination"], aliases)) {
    report(
      resource.name,
      NO_ANY_ANY_PASS,
      "properties.destination",
      "the rule passes traffic from any source to any destination; narrow the source or the destination to a network, an address or an alias",
    );
  }
  if (!fromAnywhere || text(props["direction"]) === "out" || !carriesPorts(props["protocol"])) return;
  const set = portSet(props["port"], aliases);
  const hits = adminHits(set, isFirewallItself(props["destination"]));
  if (hits.length === 0) return;
  report(
    resource.name,
    NO_PUBLIC_ADMIN_PORT,
    "properties.port",
    `the rule passes ${opening(set, hits)} from any source; limit source to a trusted network or a VPN, or name only the ports the service needs`,
  );
}

function checkNat(resource: PolicyResource, aliases: Aliases, report: Report): void {
  const props = resource.properties;
  if (
    props["enabled"] === false ||
    !isAnyAddress(props["source"], aliases) ||
    !carriesPorts(props["protocol"])
  ) {
    return;
  }
  // What the forward exposes is the inside service (targetPort), reached through the outside port.
  for (const key of ["targetPort", "port"] as const) {
    if (key === "targetPort" && props[key] === undefined) continue;
    const set = portSet(props[key], aliases);
    const hits = adminHits(set, false);
    if (hits.length === 0) continue;
    report(
      resource.name,
      NO_PUBLIC_ADMIN_PORT,
      `properties.${key}`,
      `the port forward exposes ${opening(set, hits)} to any source; set source to a trusted network, or reach it over a VPN`,
    );
    return;
  }
}

const ANY_CIDR = new Set(["0.0.0.0/0", "::/0"]);

function checkSecurityGroup(resource: PolicyResource, report: Report): void {
  const ingress = resource.properties["ingress"];
  if (!Array.isArray(ingress)) return;
  ingress.forEach((entry, index) => {
    if (typeof entry !== "object" || entry === null || isUnknown(entry)) return;
    const rule = entry as Record<string, unknown>;
    const cidrs = [rule["cidr"], rule["ipv6Cidr"]].filter((cidr): cidr is string => typeof cidr === "string");
    if (!cidrs.some((cidr) => ANY_CIDR.has(cidr.trim()))) return;
    const protocol = text(rule["protocol"]);
    let set: PortSet;
    if (protocol === "-1" || protocol === "all") set = portSet(undefined);
    else if (protocol === "icmp" || protocol === "icmpv6" || protocol === undefined) return;
    else if (typeof rule["port"] === "number") {
      const to = typeof rule["toPort"] === "number" ? rule["toPort"] : rule["port"];
      set = rangeSet(rule["port"], to);
    } else set = portSet(rule["port"]);
    const hits = adminHits(set, false);
    if (hits.length === 0) return;
    report(
      resource.name,
      NO_PUBLIC_ADMIN_PORT,
      `properties.ingress[${index}]`,
      `the security group allows ${opening(set, hits)} from ${cidrs.find((cidr) => ANY_CIDR.has(cidr.trim()))}; allow a trusted CIDR (an office range, a VPN) instead`,
    );
  });
}

const PUBLIC_HOST_IPS = new Set(["", "0.0.0.0", "::", "[::]"]);

/** `[ip:]hostPort:containerPort[/proto]` or `{ host, container, hostIp }`: is it on every address, and which ports. */
function dockerPublish(value: unknown): { public: boolean; ports: PortSet[] } | undefined {
  if (typeof value === "string") {
    let spec = value.trim().replace(/\/(tcp|udp|sctp)$/i, "");
    let ip = "";
    const bracketed = /^(\[[^\]]*\]):(.*)$/.exec(spec);
    if (bracketed) [, ip = "", spec = ""] = bracketed;
    const parts = spec.split(":");
    const container = parts.at(-1) ?? "";
    const host = parts.length >= 2 ? parts.at(-2)! : undefined;
    if (parts.length >= 3) ip = parts.slice(0, -2).join(":");
    return {
      public: PUBLIC_HOST_IPS.has(ip),
      ports: [container, host]
        .filter((port) => port !== undefined && port !== "")
        .map((port) => portSet(port)),
    };
  }
  if (typeof value === "object" && value !== null && !isUnknown(value)) {
    const mapping = value as Record<string, unknown>;
    const ip = typeof mapping["hostIp"] === "string" ? mapping["hostIp"] : "";
    const ports = [mapping["container"], mapping["host"]]
      .filter((port) => port !== undefined)
      .map((port) => portSet(port));
    return { public: PUBLIC_HOST_IPS.has(ip.trim()), ports };
  }
  return undefined;
}

function checkContainer(resource: PolicyResource, report: Report): void {
  const { ports, network } = resource.properties;
  // With host or no networking, Docker ignores published ports.
  if (!Array.isArray(ports) || network === "host" || network === "none") return;
  ports.forEach((value, index) => {
    const published = dockerPublish(value);
    if (!published?.public) return;
    const hits = [...new Set(published.ports.flatMap((set) => adminHits(set, false)))];
    if (hits.length === 0) return;
    report(
      resource.name,
      NO_PUBLIC_ADMIN_PORT,
      `properties.ports[${index}]`,
      `the container publishes ${describeList(hits)} on every host address (0.0.0.0); bind it to 127.0.0.1 (e.g. 127.0.0.1:2222:22) or drop it`,
    );
  });
}

/** Network exposure: needs the whole deployment, since firewall rules may name aliases declared beside them. */
export function checkExposure(deployment: PolicyDeployment, report: DeploymentReport): void {
  const aliases = collectAliases(deployment);
  const emit: Report = (resource, rule, path, message) => report(rule, { resource, path, message });
  for (const resource of deployment.resources) {
    switch (resource.type) {
      case "opnsense:firewall:rule":
        checkFirewallRule(resource, aliases, emit);
        break;
      case "opnsense:firewall:nat":
        checkNat(resource, aliases, emit);
        break;
      case "aws:vpc:security-group":
        checkSecurityGroup(resource, emit);
        break;
      case "docker:container:run":
        checkContainer(resource, emit);
        break;
    }
  }
}
