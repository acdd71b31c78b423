import type { JsonSchema, PropertyMap, ValidationIssue } from "../../protocol/index.ts";
import type { CatalogEntry, OutputContext } from "./catalog-entry.ts";
import { hashHex, hashInt, ipToInt, randomHex, uuid } from "./net.ts";
import {
  enumOf,
  ipv4,
  ipv4Cidr,
  known,
  nonEmpty,
  outputsSchema,
  port,
  portSpec,
  propertiesSchema,
  str,
  stringList,
  text,
} from "./schema-parts.ts";

type Issue = Omit<ValidationIssue, "resource">;

const description = { type: "string", maxLength: 255 } satisfies JsonSchema;
const interfaceName = {
  type: "string",
  pattern: "^[A-Za-z0-9_.,-]+$",
  description: "wan, lan, optN, or a device",
};
const macAddress = { type: "string", pattern: "^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$" };
const hostOrAddress = { type: "string", pattern: "^[A-Za-z0-9.:\\[\\]_-]+$" };

/** OPNsense's MVC API answers every add with a UUID. */
const opnsenseId = () => uuid();
const idOnly = (context: OutputContext): PropertyMap => ({ id: context.id });

const vlan: CatalogEntry = {
  type: "opnsense:network:vlan",
  description: "An 802.1Q VLAN on a parent interface (Interfaces → Other Types → VLAN).",
  properties: propertiesSchema(
    {
      tag: { type: "integer", minimum: 1, maximum: 4094, description: "VLAN id, unique per parent" },
      interface: { ...interfaceName, description: "the parent NIC, e.g. igc2" },
      description,
      pcp: { type: "integer", minimum: 0, maximum: 7 },
    },
    ["tag", "interface"],
    [
      { tag: 150, interface: "igc2", description: "customer portal" },
      { tag: 150, interface: "igc2", description: "customer portal (prod)", pcp: 3 },
    ],
  ),
  outputs: outputsSchema({ device: { type: "string", description: "the VLAN device, e.g. igc2_vlan150" } }, [
    "id",
    "device",
  ]),
  replaceOnChange: ["tag", "interface"],
  newId: opnsenseId,
  makeOutputs: ({ id, properties }) => ({
    id,
    device: `${str(properties, "interface")}_vlan${properties["tag"]}`,
  }),
  claims: (resource) => [`unique:vlan ${resource.properties["interface"]}/${resource.properties["tag"]}`],
};

const networkInterface: CatalogEntry = {
  type: "opnsense:network:interface",
  description: "An interface assignment with a static IPv4 address (Interfaces → Assignments).",
  properties: propertiesSchema(
    {
      device: { ...nonEmpty, description: "the device to assign, e.g. igc2_vlan150" },
      ipv4: { ...ipv4Cidr, description: "the interface address with its prefix, e.g. 10.0.150.1/24" },
      description,
      enabled: { type: "boolean" },
    },
    ["device"],
    [
      { device: "igc2_vlan150", ipv4: "10.0.150.1/24", description: "portal" },
      { device: "igc2_vlan150", ipv4: "10.0.150.254/24", description: "portal gateway", enabled: true },
    ],
  ),
  outputs: outputsSchema({ ip: { type: "string", description: "the address without prefix" } }),
  replaceOnChange: ["device"],
  newId: opnsenseId,
  makeOutputs: ({ id, properties }) => {
    const cidr = str(properties, "ipv4");
    return cidr ? { id, ip: cidr.split("/")[0] } : { id };
  },
  claims: (resource) => [`unique:interface ${resource.properties["device"]}`],
};

function portsNeedTransport(properties: PropertyMap): Issue[] {
  const protocol = str(properties, "protocol")?.toLowerCase();
  if (properties["port"] === undefined || !known(properties["protocol"])) return [];
  if (protocol === undefined) {
    return [
      { path: "properties.protocol", message: "a port without protocol applies to TCP", severity: "warning" },
    ];
  }
  if (!["tcp", "udp", "tcp/udp"].includes(protocol)) {
    return [
      {
        path: "properties.port",
        message: `a port needs protocol tcp, udp or tcp/udp, not ${protocol}`,
        severity: "error",
      },
    ];
  }
  return [];
}

const PROTOCOLS = ["any", "tcp", "udp", "tcp/udp", "icmp", "icmpv6", "esp", "ah", "gre", "igmp"];
const protocol = enumOf(...PROTOCOLS, ...PROTOCOLS.map((name) => name.toUpperCase()));

const firewallRule: CatalogEntry = {
  type: "opnsense:firewall:rule",
  description:
    "A filter rule (Firewall → Rules); source and destination take any, a CIDR, an address or an alias.",
  properties: propertiesSchema(
    {
      action: enumOf("pass", "block", "reject"),
      interface: interfaceName,
      direction: enumOf("in", "out", "any"),
      protocol,
      source: nonEmpty,
      destination: nonEmpty,
      port: portSpec,
      description,
      log: { type: "boolean" },
      enabled: { type: "boolean" },
      sequence: { type: "integer", minimum: 1, maximum: 999999 },
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
  outputs: outputsSchema({}),
  validate: portsNeedTransport,
  newId: opnsenseId,
  makeOutputs: idOnly,
};

const ALIAS_CONTENT: Record<string, RegExp> = {
  host: /^([0-9.]+|[0-9a-fA-F:]+|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/,
  network: /^([0-9.]+\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3}|[A-Za-z_][A-Za-z0-9_]*)$/,
  port: /^(\d{1,5}(:\d{1,5})?|\d{1,5}-\d{1,5}|[A-Za-z_][A-Za-z0-9_]*)$/,
  url: /^https?:\/\/\S+$/,
};

const firewallAlias: CatalogEntry = {
  type: "opnsense:firewall:alias",
  description: "A named list of hosts, networks or ports that rules can refer to (Firewall → Aliases).",
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
    },
    ["name", "type", "content"],
    [
      { name: "portal_servers", type: "host", content: ["10.0.150.11", "10.0.150.12"] },
      { name: "portal_servers", type: "host", content: ["10.0.150.11", "10.0.150.12", "10.0.150.13"] },
    ],
  ),
  outputs: outputsSchema({}),
  validate(properties) {
    const type = str(properties, "type");
    const content = properties["content"];
    const pattern = type ? ALIAS_CONTENT[type] : undefined;
    if (!pattern || !Array.isArray(content)) return [];
    const issues: Issue[] = [];
    content.forEach((item, index) => {
      if (!known(item)) return;
      if (!pattern.test(String(item))) {
        issues.push({
          path: `properties.content[${index}]`,
          message: `${item} is not a valid ${type}`,
          severity: "error",
        });
      }
    });
    return issues;
  },
  newId: opnsenseId,
  makeOutputs: idOnly,
  claims: (resource) => [`unique:alias ${resource.properties["name"]}`],
};

const firewallNat: CatalogEntry = {
  type: "opnsense:firewall:nat",
  description: "A port forward (Firewall → NAT → Destination NAT) to an inside address.",
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
  outputs: outputsSchema({}),
  validate: portsNeedTransport,
  newId: opnsenseId,
  makeOutputs: idOnly,
};

const BALANCE = ["source", "roundrobin", "static-rr", "leastconn", "uri", "random"];

const haproxyBackend: CatalogEntry = {
  type: "opnsense:service:haproxy:backend",
  description: "An HAProxy backend pool (Services → HAProxy → Backend Pools).",
  properties: propertiesSchema(
    {
      mode: enumOf("http", "tcp"),
      balance: enumOf(...BALANCE),
      servers: { type: "array", items: hostOrAddress, description: "addresses, host:port or host" },
      healthCheck: enumOf("none", "tcp", "http"),
      description,
    },
    ["mode"],
    [
      { mode: "http", balance: "roundrobin", servers: ["10.0.150.11:8080", "10.0.150.12:8080"] },
      { mode: "http", balance: "leastconn", servers: ["10.0.150.11:8080", "10.0.150.12:8080"] },
    ],
  ),
  outputs: outputsSchema({}),
  newId: opnsenseId,
  makeOutputs: idOnly,
};

const haproxyServer: CatalogEntry = {
  type: "opnsense:service:haproxy:server",
  description: "A real server HAProxy backends can use (Services → HAProxy → Real Servers).",
  properties: propertiesSchema(
    {
      address: { ...hostOrAddress, description: "the server's address or host name" },
      port,
      weight: { type: "integer", minimum: 0, maximum: 256 },
      description,
    },
    ["address", "port"],
    [
      { address: "10.0.150.11", port: 8080 },
      { address: "10.0.150.11", port: 8080, weight: 50 },
    ],
  ),
  outputs: outputsSchema({}),
  newId: opnsenseId,
  makeOutputs: idOnly,
};

const BIND = /^(\[(?<v6>[0-9A-Fa-f:]+)\]|(?<host>[^:[\]]*)):(?<port>\d{1,5})$/;

/** The address part of `ip:port`, `[v6]:port` or `:port` (all addresses). */
function bindAddress(bind: string | undefined): string {
  const match = bind ? BIND.exec(bind) : null;
  const host = match?.groups?.["v6"] ?? match?.groups?.["host"];
  return host === undefined || host === "" || host === "*" ? "0.0.0.0" : host;
}

const haproxyFrontend: CatalogEntry = {
  type: "opnsense:service:haproxy:frontend",
  description: "An HAProxy public service listening on ip:port (Services → HAProxy → Public Services).",
  properties: propertiesSchema(
    {
      bind: {
        type: "string",
        pattern: BIND.source.replace(/\?<\w+>/g, ""),
        description: "ip:port, e.g. 10.0.150.1:443",
      },
      backend: { ...nonEmpty, description: "the default backend's id" },
      mode: enumOf("http", "ssl", "tcp"),
      certificates: stringList,
      description,
    },
    ["bind", "backend"],
    [
      { bind: "10.0.150.1:443", backend: "4c1a3f0e-8b7d-4e2a-9c51-0d6e2f3a4b5c", mode: "http" },
      {
        bind: "10.0.150.1:443",
        backend: "4c1a3f0e-8b7d-4e2a-9c51-0d6e2f3a4b5c",
        mode: "http",
        description: "portal",
      },
    ],
  ),
  outputs: outputsSchema({ ip: { type: "string", description: "the address it listens on" } }, ["id", "ip"]),
  validate(properties) {
    const bind = str(properties, "bind");
    const portText = bind ? BIND.exec(bind)?.groups?.["port"] : undefined;
    if (portText && (Number(portText) < 1 || Number(portText) > 65535)) {
      return [{ path: "properties.bind", message: `port ${portText} is outside 1-65535`, severity: "error" }];
    }
    return [];
  },
  newId: opnsenseId,
  makeOutputs: ({ id, properties }) => ({ id, ip: bindAddress(str(properties, "bind")) }),
};

const dnsOverride: CatalogEntry = {
  type: "opnsense:service:dns:override",
  description: "An Unbound host override: host.domain resolves to ip (Services → Unbound DNS → Overrides).",
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
  newId: opnsenseId,
  makeOutputs: ({ id, properties }) => ({
    id,
    fqdn: `${str(properties, "host")}.${str(properties, "domain")}`,
  }),
};

const dhcpRange: CatalogEntry = {
  type: "opnsense:service:dhcp:range",
  description: "A DHCPv4 pool on an interface (Services → DHCPv4).",
  properties: propertiesSchema(
    { interface: interfaceName, from: ipv4, to: ipv4, description },
    ["interface", "from", "to"],
    [
      { interface: "opt1", from: "10.0.150.100", to: "10.0.150.199" },
      { interface: "opt1", from: "10.0.150.100", to: "10.0.150.249", description: "guests" },
    ],
  ),
  outputs: outputsSchema({}),
  validate(properties) {
    const from = ipToInt(str(properties, "from") ?? "");
    const to = ipToInt(str(properties, "to") ?? "");
    if (from !== undefined && to !== undefined && from > to) {
      return [
        {
          path: "properties.to",
          message: "the range ends before it starts; swap from and to",
          severity: "error",
        },
      ];
    }
    return [];
  },
  newId: opnsenseId,
  makeOutputs: idOnly,
};

const dhcpStatic: CatalogEntry = {
  type: "opnsense:service:dhcp:static",
  description: "A static DHCPv4 mapping of a MAC address to an IP (Services → DHCPv4 → Static mappings).",
  properties: propertiesSchema(
    { interface: interfaceName, mac: macAddress, ip: ipv4, hostname: text, description },
    ["interface", "mac", "ip"],
    [
      { interface: "opt1", mac: "00:11:22:33:44:55", ip: "10.0.150.20", hostname: "printer" },
      { interface: "opt1", mac: "00:11:22:33:44:55", ip: "10.0.150.21", hostname: "printer" },
    ],
  ),
  outputs: outputsSchema({}),
  newId: opnsenseId,
  makeOutputs: idOnly,
  claims: (resource) => [
    `unique:dhcp-static ${resource.properties["interface"]}/${resource.properties["mac"]}`,
  ],
};

function fingerprint(seed: string): string {
  return (hashHex(seed, 64).toUpperCase().match(/../g) ?? []).join(":");
}

const certificate: CatalogEntry = {
  type: "opnsense:security:certificate",
  description: "A server certificate issued by the firewall's internal CA (System → Trust → Certificates).",
  properties: propertiesSchema(
    {
      commonName: nonEmpty,
      altNames: stringList,
      lifetimeDays: { type: "integer", minimum: 1, maximum: 3650 },
      keyType: enumOf("RSA-2048", "RSA-4096", "prime256v1", "secp384r1"),
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
      refid: { type: "string" },
      notAfter: { type: "string", description: "expiry, ISO 8601" },
    },
    ["id", "fingerprint"],
  ),
  replaceOnChange: ["commonName", "keyType"],
  newId: opnsenseId,
  makeOutputs({ id, properties, previous }) {
    // Any change re-issues the certificate, so the fingerprint follows the properties.
    const days = typeof properties["lifetimeDays"] === "number" ? properties["lifetimeDays"] : 397;
    return {
      id,
      fingerprint: fingerprint(`${id}\u0000${JSON.stringify(properties)}`),
      refid: typeof previous?.["refid"] === "string" ? previous["refid"] : randomHex(13),
      notAfter: new Date(Date.now() + days * 86_400_000).toISOString(),
    };
  },
};

const user: CatalogEntry = {
  type: "opnsense:security:user",
  description: "A local user of the firewall (System → Access → Users).",
  properties: propertiesSchema(
    {
      username: { type: "string", pattern: "^[a-zA-Z0-9._-]{1,32}$" },
      groups: stringList,
      password: { type: "string", minLength: 1, description: "secret; stored only as a digest" },
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
  outputs: outputsSchema({ uid: { type: "integer" } }),
  replaceOnChange: ["username"],
  secretProperties: ["password"],
  newId: opnsenseId,
  makeOutputs: ({ id, previous, seed }) => ({
    id,
    uid: typeof previous?.["uid"] === "number" ? previous["uid"] : 2000 + (hashInt(seed) % 60000),
  }),
  claims: (resource) => [`unique:user ${resource.properties["username"]}`],
};

export const OPNSENSE_ENTRIES: CatalogEntry[] = [
  vlan,
  networkInterface,
  firewallRule,
  firewallAlias,
  firewallNat,
  haproxyBackend,
  haproxyServer,
  haproxyFrontend,
  dnsOverride,
  dhcpRange,
  dhcpStatic,
  certificate,
  user,
];
