import { haproxyBackendType, haproxyFrontendType, haproxyServerType } from "./opnsense-haproxy.ts";
import { allowLockout, description, interfaceName, macAddress } from "./opnsense-parts.ts";
import {
  enumOf,
  ipv4,
  ipv4Cidr,
  nonEmpty,
  outputsSchema,
  portSpec,
  propertiesSchema,
  stringList,
  text,
} from "./parts.ts";
import type { CatalogType } from "./types.ts";

export * from "./opnsense-haproxy.ts";

/**
 * The seed's OPNsense types (design §4), table-like data: the real provider (tools/providers/opnsense)
 * and the sandbox's mock describe exactly these (the HAProxy three in opnsense-haproxy.ts).
 */

export const FIREWALL_PROTOCOLS = ["any", "tcp", "udp", "tcp/udp", "icmp", "esp", "ah", "gre", "igmp"];
const protocol = enumOf(...FIREWALL_PROTOCOLS, ...FIREWALL_PROTOCOLS.map((name) => name.toUpperCase()));
/** Key types by the names users write; the values are the API's. */
export const CERTIFICATE_KEY_TYPES: Record<string, string> = {
  "RSA-2048": "2048",
  "RSA-4096": "4096",
  prime256v1: "prime256v1",
  secp384r1: "secp384r1",
};

export const userType: CatalogType = {
  type: "opnsense:security:user",
  description:
    "A local user of the firewall (System > Access > Users) through /api/auth/user (25.1+); password is write-only and never read back.",
  properties: propertiesSchema(
    {
      username: { type: "string", pattern: "^[a-zA-Z0-9._-]{1,32}$" },
      groups: stringList,
      password: { type: "string", minLength: 1, description: "secret; the firewall keeps only a hash" },
      email: text,
      description,
      disabled: { type: "boolean" },
    },
    ["username", "password"],
    [
      { username: "portal-ops", groups: ["admins"], password: "correct-horse-battery" },
      { username: "portal-ops", groups: ["admins", "operators"], password: "correct-horse-battery" },
    ],
  ),
  outputs: outputsSchema(),
  replaceOnChange: ["username"],
  secretProperties: ["password"],
};

export const dhcpRangeType: CatalogType = {
  type: "opnsense:service:dhcp:range",
  description:
    "A DHCPv4 pool on Kea (Services > Kea DHCP > Subnets): one subnet with the pool from-to. ISC dhcpd has no API for ranges. " +
    "subnet defaults to the /24 around from.",
  properties: propertiesSchema(
    { interface: interfaceName, from: ipv4, to: ipv4, subnet: ipv4Cidr, description },
    ["interface", "from", "to"],
    [
      { interface: "opt1", from: "10.0.150.100", to: "10.0.150.199" },
      { interface: "opt1", from: "10.0.150.100", to: "10.0.150.249", description: "guests" },
    ],
  ),
  outputs: outputsSchema(),
};

export const dhcpStaticType: CatalogType = {
  type: "opnsense:service:dhcp:static",
  description:
    "A static DHCPv4 lease on Kea: a reservation in the Kea subnet that contains ip (create the range first).",
  properties: propertiesSchema(
    { interface: interfaceName, mac: macAddress, ip: ipv4, hostname: text, description },
    ["interface", "mac", "ip"],
    [
      { interface: "opt1", mac: "00:11:22:33:44:55", ip: "10.0.150.20", hostname: "printer" },
      { interface: "opt1", mac: "00:11:22:33:44:55", ip: "10.0.150.21", hostname: "printer" },
    ],
  ),
  outputs: outputsSchema(),
};

export const dnsOverrideType: CatalogType = {
  type: "opnsense:service:dns:override",
  description:
    "An Unbound host override: host.domain resolves to ip (Services > Unbound DNS > Overrides), through /api/unbound/settings.",
  properties: propertiesSchema(
    {
      host: { type: "string", pattern: "^(\\*|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)$" },
      domain: { type: "string", pattern: "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$" },
      ip: {
        type: "string",
        minLength: 2,
        pattern: `^(${String(ipv4["pattern"]).slice(1, -1)}|[0-9A-Fa-f:]+)$`,
      },
      description,
    },
    ["host", "domain", "ip"],
    [
      { host: "portal", domain: "example.lan", ip: "10.0.150.1" },
      { host: "portal", domain: "example.lan", ip: "10.0.150.2", description: "moved to the new LB" },
    ],
  ),
  outputs: outputsSchema({ fqdn: { type: "string" } }, ["id", "fqdn"]),
};

export const ruleType: CatalogType = {
  type: "opnsense:firewall:rule",
  description:
    "A filter rule (Firewall > Rules) through /api/firewall/filter, applied with filter/apply. " +
    "A block or reject rule that would match the API's own address and port is refused unless allowLockout: true.",
  properties: propertiesSchema(
    {
      action: enumOf("pass", "block", "reject"),
      interface: { ...interfaceName, description: "lan, wan, optN (empty: floating)" },
      direction: enumOf("in", "out", "any"),
      protocol,
      source: nonEmpty,
      destination: nonEmpty,
      port: portSpec,
      description,
      log: { type: "boolean" },
      enabled: { type: "boolean" },
      sequence: { type: "integer", minimum: 1, maximum: 999999 },
      allowLockout,
    },
    ["action"],
    [
      {
        action: "pass",
        interface: "wan",
        direction: "in",
        protocol: "tcp",
        source: "any",
        destination: "10.0.150.1",
        port: 443,
        description: "HTTPS to the portal",
      },
      {
        action: "pass",
        interface: "wan",
        direction: "in",
        protocol: "tcp",
        source: "any",
        destination: "10.0.150.1",
        port: 443,
        description: "HTTPS to the portal, logged",
        log: true,
      },
    ],
  ),
  outputs: outputsSchema(),
};

export const aliasType: CatalogType = {
  type: "opnsense:firewall:alias",
  description:
    "A named list of hosts, networks or ports that rules can refer to (Firewall > Aliases), through /api/firewall/alias.",
  properties: propertiesSchema(
    {
      name: {
        type: "string",
        pattern: "^[A-Za-z_][A-Za-z0-9_]{0,31}$",
        description: "letters, digits, _; max 32",
      },
      type: enumOf("host", "network", "port", "url"),
      content: { type: "array", items: { type: ["string", "integer"] } },
      description,
      allowLockout,
    },
    ["name", "type", "content"],
    [
      { name: "portal_servers", type: "host", content: ["10.0.150.11", "10.0.150.12"] },
      { name: "portal_servers", type: "host", content: ["10.0.150.11", "10.0.150.12", "10.0.150.13"] },
    ],
  ),
  outputs: outputsSchema(),
};

export const natType: CatalogType = {
  type: "opnsense:firewall:nat",
  description:
    "A port forward (Firewall > NAT > Destination NAT) through /api/firewall/d_nat (OPNsense 26.1+). " +
    "A forward that would catch the API's own address and port is refused unless allowLockout: true.",
  properties: propertiesSchema(
    {
      interface: interfaceName,
      protocol,
      source: nonEmpty,
      destination: nonEmpty,
      port: portSpec,
      target: { ...nonEmpty, description: "the inside address or alias" },
      targetPort: portSpec,
      description,
      enabled: { type: "boolean" },
      allowLockout,
    },
    ["interface", "target", "port"],
    [
      {
        interface: "wan",
        protocol: "tcp",
        port: 2222,
        target: "10.0.150.11",
        targetPort: 22,
        description: "ssh",
      },
      {
        interface: "wan",
        protocol: "tcp",
        port: 2222,
        target: "10.0.150.12",
        targetPort: 22,
        description: "ssh",
      },
    ],
  ),
  outputs: outputsSchema(),
};

export const vlanType: CatalogType = {
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
};

export const interfaceType: CatalogType = {
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
  replaceOnChange: ["device"],
};

export const certificateType: CatalogType = {
  type: "opnsense:security:certificate",
  description:
    "A server certificate made by the firewall (System > Trust > Certificates) through /api/trust/cert: self-signed, or signed by the CA whose refid is `ca`. " +
    "A change of name, alternative names or lifetime re-issues it in place.",
  properties: propertiesSchema(
    {
      commonName: nonEmpty,
      altNames: stringList,
      lifetimeDays: { type: "integer", minimum: 1, maximum: 3650 },
      keyType: enumOf(...Object.keys(CERTIFICATE_KEY_TYPES)),
      ca: { ...nonEmpty, description: "refid of a CA on the firewall; empty: self-signed" },
      description,
    },
    ["commonName"],
    [
      { commonName: "portal.example.lan", altNames: ["portal.example.lan"], lifetimeDays: 397 },
      {
        commonName: "portal.example.lan",
        altNames: ["portal.example.lan", "www.portal.example.lan"],
        lifetimeDays: 397,
      },
    ],
  ),
  outputs: outputsSchema(
    {
      fingerprint: { type: "string", description: "SHA-256 fingerprint, colon-separated hex" },
      notAfter: { type: "string", description: "expiry, ISO 8601" },
    },
    ["id", "fingerprint"],
  ),
  replaceOnChange: ["keyType", "ca"],
};

/** In the design's order. */
export const OPNSENSE_TYPES: readonly CatalogType[] = [
  vlanType,
  interfaceType,
  ruleType,
  aliasType,
  natType,
  haproxyBackendType,
  haproxyServerType,
  haproxyFrontendType,
  dnsOverrideType,
  dhcpRangeType,
  dhcpStaticType,
  certificateType,
  userType,
];
