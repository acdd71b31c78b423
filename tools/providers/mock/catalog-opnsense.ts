import * as catalog from "../../protocol/catalog/opnsense.ts";
import type { PropertyMap, ValidationIssue } from "../../protocol/index.ts";
import type { CatalogEntry, OutputContext } from "./catalog-entry.ts";
import { hashHex, ipToInt, uuid } from "./net.ts";
import { known, str } from "./schema-parts.ts";

type Issue = Omit<ValidationIssue, "resource">;

/** OPNsense's MVC API answers every add with a UUID. */
const opnsenseId = () => uuid();
const idOnly = (context: OutputContext): PropertyMap => ({ id: context.id });

const vlan: CatalogEntry = {
  ...catalog.vlanType,
  newId: opnsenseId,
  makeOutputs: ({ id, properties }) => ({
    id,
    device: `${str(properties, "interface")}_vlan${properties["tag"]}`,
  }),
  claims: (resource) => [`unique:vlan ${resource.properties["interface"]}/${resource.properties["tag"]}`],
};

const networkInterface: CatalogEntry = {
  ...catalog.interfaceType,
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

const firewallRule: CatalogEntry = {
  ...catalog.ruleType,
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
  ...catalog.aliasType,
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
  ...catalog.natType,
  validate: portsNeedTransport,
  newId: opnsenseId,
  makeOutputs: idOnly,
};

const haproxyBackend: CatalogEntry = {
  ...catalog.haproxyBackendType,
  newId: opnsenseId,
  makeOutputs: idOnly,
};

const haproxyServer: CatalogEntry = {
  ...catalog.haproxyServerType,
  newId: opnsenseId,
  makeOutputs: idOnly,
};

const BIND = catalog.HAPROXY_BIND;

/** The address part of `ip:port`, `[v6]:port` or `:port` (all addresses). */
function bindAddress(bind: string | undefined): string {
  const match = bind ? BIND.exec(bind) : null;
  const host = match?.groups?.["v6"] ?? match?.groups?.["host"];
  return host === undefined || host === "" || host === "*" ? "0.0.0.0" : host;
}

const haproxyFrontend: CatalogEntry = {
  ...catalog.haproxyFrontendType,
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
  ...catalog.dnsOverrideType,
  newId: opnsenseId,
  makeOutputs: ({ id, properties }) => ({
    id,
    fqdn: `${str(properties, "host")}.${str(properties, "domain")}`,
  }),
};

const dhcpRange: CatalogEntry = {
  ...catalog.dhcpRangeType,
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
  ...catalog.dhcpStaticType,
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
  ...catalog.certificateType,
  newId: opnsenseId,
  makeOutputs({ id, properties }) {
    // Any change re-issues the certificate, so the fingerprint follows the properties.
    const days = typeof properties["lifetimeDays"] === "number" ? properties["lifetimeDays"] : 397;
    return {
      id,
      fingerprint: fingerprint(`${id}\u0000${JSON.stringify(properties)}`),
      notAfter: new Date(Date.now() + days * 86_400_000).toISOString(),
    };
  },
};

const user: CatalogEntry = {
  ...catalog.userType,
  newId: opnsenseId,
  makeOutputs: ({ id }) => ({ id }),
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
