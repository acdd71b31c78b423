import { type PropertyMap, ProviderError } from "../../protocol/index.ts";
import type { CatalogEntry, OutputContext, WorldResource } from "./catalog-entry.ts";
import { allocateAddress, hashHex, intToIp, parseCidr, randomHex } from "./net.ts";
import {
  enumOf,
  nonEmpty,
  outputsSchema,
  propertiesSchema,
  str,
  stringList,
  stringMap,
} from "./schema-parts.ts";

const labels = { ...stringMap, description: "Docker labels; mcp-iac adds its own" };
const duration = {
  type: "string",
  pattern: "^\\d+(\\.\\d+)?(ns|us|ms|s|m|h)$",
  description: "e.g. 500ms, 5s, 1m",
};
const imageRef = { type: "string", pattern: "^[a-z0-9][a-z0-9._/:@-]*$", description: "name:tag" };

/** Compose-style names: `<deployment>_<name>`, which keeps them unique per engine. */
const engineName = (context: { deploymentId: string; name: string }) =>
  `${context.deploymentId}_${context.name}`.replace(/[^A-Za-z0-9_.-]/g, "_");

const imageBuild: CatalogEntry = {
  type: "docker:image:build",
  description: "An image built from a context and Dockerfile; retagging is in place, other changes rebuild.",
  properties: propertiesSchema(
    {
      context: { ...nonEmpty, description: "the build context folder" },
      dockerfile: nonEmpty,
      tags: { type: "array", items: imageRef },
      dockerfileInline: { ...nonEmpty, description: "Dockerfile text, instead of a context folder" },
      buildArgs: stringMap,
      labels,
    },
    [],
    [
      { context: "./app", dockerfile: "./Dockerfile", tags: ["customer-portal:latest"] },
      {
        context: "./app",
        dockerfile: "./Dockerfile",
        tags: ["customer-portal:latest", "customer-portal:1.4.2"],
      },
    ],
  ),
  validate: (properties) =>
    properties["context"] === undefined && properties["dockerfileInline"] === undefined
      ? [
          {
            path: "properties.context",
            message: "give context (a folder) or dockerfileInline (Dockerfile text)",
            severity: "error",
          },
        ]
      : [],
  outputs: outputsSchema({ tags: { type: "array", items: { type: "string" } } }),
  replaceOnChange: ["context", "dockerfile", "dockerfileInline", "buildArgs", "labels"],
  // Image ids are content digests: the same inputs give the same id.
  newId: ({ properties, deploymentId, name }) =>
    `sha256:${hashHex(
      JSON.stringify([
        properties["context"],
        properties["dockerfile"] ?? "Dockerfile",
        properties["dockerfileInline"] ?? "",
        properties["buildArgs"] ?? {},
        deploymentId,
        name,
      ]),
      64,
    )}`,
  makeOutputs: ({ id, properties }) => ({
    id,
    tags: Array.isArray(properties["tags"]) ? properties["tags"] : [],
  }),
};

const DEFAULT_BRIDGE = parseCidr("172.17.0.0/16")!;

function findNetwork(context: OutputContext, reference: string): WorldResource | undefined {
  const byId = context.world.get(reference);
  if (byId?.type === "docker:network:create") return byId;
  return context.world
    .list({ type: "docker:network:create" })
    .find((network) => network.outputs["name"] === reference);
}

function containerAddress(context: OutputContext): string | undefined {
  const reference = containerScope(context.properties);
  if (reference === "host" || reference === "none") return undefined;
  const network = reference === "bridge" ? undefined : findNetwork(context, reference);
  const subnet = (network ? parseCidr(String(network.outputs["subnet"])) : undefined) ?? DEFAULT_BRIDGE;
  // .1 is the bridge's gateway.
  const address = allocateAddress(
    subnet,
    context.seed,
    (candidate) => context.world.isClaimed(`addr:${reference} ${candidate}`, context.id),
    { first: 2, last: 1 },
  );
  if (!address) throw new ProviderError("QUOTA_EXCEEDED", `network ${reference} has no free address`);
  return address;
}

const portMapping = {
  anyOf: [
    { type: "string", pattern: "^((\\d{1,3}\\.){3}\\d{1,3}:)?(\\d{1,5}:)?\\d{1,5}(/(tcp|udp|sctp))?$" },
    {
      type: "object",
      properties: {
        host: { type: "integer", minimum: 1, maximum: 65535 },
        container: { type: "integer", minimum: 1, maximum: 65535 },
        hostIp: { type: "string" },
        protocol: enumOf("tcp", "udp", "sctp"),
      },
      required: ["container"],
      additionalProperties: false,
    },
  ],
};

const mount = {
  anyOf: [
    { type: "string", pattern: "^[^:]+:/[^:]*(:(ro|rw))?$", description: "source:/target[:ro]" },
    {
      type: "object",
      properties: {
        source: nonEmpty,
        target: { type: "string", pattern: "^/" },
        readOnly: { type: "boolean" },
      },
      required: ["source", "target"],
      additionalProperties: false,
    },
  ],
};

const container: CatalogEntry = {
  type: "docker:container:run",
  description: "A running container. Only its restart policy changes in place; anything else recreates it.",
  properties: propertiesSchema(
    {
      image: { ...nonEmpty, description: "an image reference or id" },
      command: { anyOf: [stringList, { type: "string" }] },
      env: { anyOf: [stringMap, { type: "array", items: { type: "string", pattern: "^[^=]+=" } }] },
      ports: { type: "array", items: portMapping },
      mounts: { type: "array", items: mount },
      network: { ...nonEmpty, description: "bridge (default), host, none, or a network's id or name" },
      labels,
      // The real provider's names (tools/providers/docker/container-run.ts): one catalog truth.
      restart: {
        type: "string",
        pattern: "^(no|always|unless-stopped|on-failure(:\\d+)?)$",
        description: "no, always, unless-stopped, on-failure[:N]",
      },
      healthcheck: {
        type: "object",
        additionalProperties: false,
        required: ["test"],
        properties: {
          test: { anyOf: [stringList, { type: "string" }] },
          interval: duration,
          timeout: duration,
          retries: { type: "integer", minimum: 0 },
          startPeriod: duration,
        },
      },
    },
    ["image"],
    [
      { image: "customer-portal:latest", env: { PORT: "8080" }, ports: ["8080:8080"], restart: "no" },
      {
        image: "customer-portal:latest",
        env: { PORT: "8080" },
        ports: ["8080:8080"],
        restart: "unless-stopped",
      },
    ],
  ),
  outputs: outputsSchema(
    {
      ip: { type: "string", description: "absent with host or no networking" },
      state: enumOf("running", "exited"),
      name: { type: "string" },
    },
    ["id", "state"],
  ),
  replaceOnChange: ["image", "command", "env", "ports", "mounts", "network", "labels", "healthcheck"],
  // Environment values often hold credentials: never in clear in the world file or state.
  secretProperties: ["env"],
  newId: () => randomHex(64),
  makeOutputs(context) {
    const previousIp = context.previous?.["ip"];
    const ip = typeof previousIp === "string" ? previousIp : containerAddress(context);
    return { id: context.id, ...(ip ? { ip } : {}), state: "running", name: engineName(context) };
  },
  claims(resource) {
    if (typeof resource.outputs["ip"] !== "string") return [];
    return [`addr:${containerScope(resource.properties)} ${resource.outputs["ip"]}`];
  },
};

function containerScope(properties: PropertyMap): string {
  const reference = str(properties, "network");
  return reference === undefined || reference === "bridge" ? "bridge" : reference;
}

const network: CatalogEntry = {
  type: "docker:network:create",
  description: "A user-defined network; containers on it get addresses in its subnet.",
  properties: propertiesSchema(
    {
      driver: enumOf("bridge", "overlay", "macvlan", "ipvlan"),
      internal: { type: "boolean" },
      subnet: {
        type: "string",
        pattern: "^[0-9a-fA-F:.]+/\\d{1,3}$",
        description: "CIDR of the network's addresses",
      },
      labels,
    },
    [],
    [
      { driver: "bridge", labels: { app: "portal" } },
      { driver: "bridge", labels: { app: "portal", tier: "web" } },
    ],
  ),
  outputs: outputsSchema({
    name: { type: "string" },
    subnet: { type: "string" },
    gateway: { type: "string" },
  }),
  replaceOnChange: ["driver", "internal", "subnet"],
  newId: () => randomHex(64),
  makeOutputs(context) {
    const previous = context.previous?.["subnet"];
    const asked = str(context.properties, "subnet");
    let subnet = asked ?? (typeof previous === "string" ? previous : undefined);
    // Docker hands out 172.18.0.0/16 … 172.31.0.0/16, then 192.168.x.0/20 pools.
    for (let second = 18; !subnet && second <= 31; second++) {
      if (!context.world.isClaimed(`addr:docker-subnet 172.${second}.0.0/16`))
        subnet = `172.${second}.0.0/16`;
    }
    for (let third = 0; !subnet && third < 256; third += 16) {
      if (!context.world.isClaimed(`addr:docker-subnet 192.168.${third}.0/20`))
        subnet = `192.168.${third}.0/20`;
    }
    if (!subnet)
      throw new ProviderError("QUOTA_EXCEEDED", "all predefined address pools are fully subnetted");
    const base = parseCidr(subnet)!;
    return { id: context.id, name: engineName(context), subnet, gateway: intToIp(base.base + 1) };
  },
  claims: (resource) => [
    `addr:docker-subnet ${resource.outputs["subnet"]}`,
    `unique:docker-network ${resource.outputs["name"]}`,
  ],
};

const volume: CatalogEntry = {
  type: "docker:volume:create",
  description: "A named volume. Stateful: deleting it loses its data.",
  properties: propertiesSchema(
    { driver: enumOf("local"), driverOpts: stringMap, labels },
    [],
    [
      { driver: "local", labels: { app: "portal" } },
      { driver: "local", labels: { app: "portal", backup: "daily" } },
    ],
  ),
  outputs: outputsSchema({ name: { type: "string" }, mountpoint: { type: "string" } }),
  replaceOnChange: ["driver", "driverOpts"],
  stateful: true,
  // A volume is known by its name.
  newId: (context) => engineName(context),
  makeOutputs: ({ id }) => ({ id, name: id, mountpoint: `/var/lib/docker/volumes/${id}/_data` }),
};

export const DOCKER_ENTRIES: CatalogEntry[] = [imageBuild, container, network, volume];
