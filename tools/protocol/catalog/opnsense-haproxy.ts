import { description, hostOrAddress, itemName } from "./opnsense-parts.ts";
import { enumOf, nonEmpty, outputsSchema, port, propertiesSchema } from "./parts.ts";
import type { CatalogType } from "./types.ts";

// The HAProxy plugin's three types (os-haproxy): servers, backends (pools) and frontends.

export const HAPROXY_BALANCE = ["source", "roundrobin", "static-rr", "leastconn", "uri", "random"];
/** `ip:port` or `[v6]:port`; the named groups are what the provider reads. */
export const HAPROXY_BIND = /^(\[(?<v6>[0-9A-Fa-f:]+)\]|(?<host>[^:[\]]*)):(?<port>\d{1,5})$/;
export const haproxyServerType: CatalogType = {
  type: "opnsense:service:haproxy:server",
  description:
    "A real server HAProxy backends can use (Services > HAProxy > Real Servers), through /api/haproxy/settings.",
  properties: propertiesSchema(
    {
      address: { ...hostOrAddress, description: "the server's address or host name" },
      port,
      weight: { type: "integer", minimum: 0, maximum: 256 },
      name: itemName,
      description,
    },
    ["address", "port"],
    [
      { address: "10.0.150.11", port: 8080 },
      { address: "10.0.150.11", port: 8080, weight: 50 },
    ],
  ),
  outputs: outputsSchema(),
};

export const haproxyBackendType: CatalogType = {
  type: "opnsense:service:haproxy:backend",
  description:
    "An HAProxy backend pool (Services > HAProxy > Backend Pools). `servers` holds addresses (host:port or host; " +
    "the provider then owns one real server per address) or ids of opnsense:service:haproxy:server resources; both become linkedServers.",
  properties: propertiesSchema(
    {
      mode: enumOf("http", "tcp"),
      balance: enumOf(...HAPROXY_BALANCE),
      servers: { type: "array", items: hostOrAddress },
      name: itemName,
      description,
    },
    ["mode"],
    [
      { mode: "http", balance: "roundrobin", servers: ["10.0.150.11:8080", "10.0.150.12:8080"] },
      { mode: "http", balance: "leastconn", servers: ["10.0.150.11:8080", "10.0.150.13:8080"] },
    ],
  ),
  outputs: outputsSchema(),
};

export const haproxyFrontendType: CatalogType = {
  type: "opnsense:service:haproxy:frontend",
  description:
    "An HAProxy public service listening on ip:port (Services > HAProxy > Public Services); backend is the default backend's id.",
  properties: propertiesSchema(
    {
      bind: {
        type: "string",
        pattern: HAPROXY_BIND.source.replace(/\?<\w+>/g, ""),
        description: "ip:port, e.g. 10.0.150.1:443",
      },
      backend: { ...nonEmpty, description: "the default backend's id" },
      mode: enumOf("http", "ssl", "tcp"),
      name: itemName,
      description,
    },
    ["bind", "backend"],
    [
      { bind: "10.0.150.1:443", backend: "4c1a3f0e-8b7d-4e2a-9c51-0d6e2f3a4b5c", mode: "http" },
      {
        bind: "10.0.150.1:8443",
        backend: "4c1a3f0e-8b7d-4e2a-9c51-0d6e2f3a4b5c",
        mode: "http",
        description: "portal",
      },
    ],
  ),
  outputs: outputsSchema({ ip: { type: "string", description: "the address it listens on" } }, ["id", "ip"]),
};
