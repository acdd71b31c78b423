import { type PropertyMap, ProviderError, type ValidationIssue } from "../../protocol/index.ts";
import type { CatalogEntry, OutputContext, WorldResource } from "./catalog-entry.ts";
import { allocateAddress, parseCidr, uuid } from "./net.ts";
import {
  enumOf,
  nonEmpty,
  outputsSchema,
  port,
  propertiesSchema,
  str,
  stringList,
  stringMap,
} from "./schema-parts.ts";

type Issue = Omit<ValidationIssue, "resource">;

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
const namespace = { type: "string", pattern: DNS_LABEL, description: "the namespace; default when omitted" };
const labels = { ...stringMap, description: "Kubernetes labels; mcp-iac adds its own" };

/** Kubernetes object names are DNS labels; the resource's name becomes the object's. */
function objectNameIssues(name: string): Issue[] {
  if (new RegExp(DNS_LABEL).test(name)) return [];
  return [
    {
      path: "name",
      message: `${name} is not a valid Kubernetes name: use lowercase letters, digits and '-', at most 63`,
      severity: "error",
    },
  ];
}

const namespaceOf = (properties: PropertyMap) => str(properties, "namespace") ?? "default";

/** Unique per kind, namespace and name, as on an API server. */
const objectClaim = (kind: string) => (resource: WorldResource) => [
  `unique:k8s ${kind} ${namespaceOf(resource.properties)}/${resource.outputs["name"]}`,
];

function objectOutputs(context: OutputContext): PropertyMap {
  return { id: context.id, name: context.name, namespace: namespaceOf(context.properties) };
}

const objectOutputSchema = { name: { type: "string" }, namespace: { type: "string" } };

const namespaceEntry: CatalogEntry = {
  type: "kubernetes:core:namespace",
  description: "A namespace. `name` defaults to the resource's name.",
  properties: propertiesSchema(
    { name: { type: "string", pattern: DNS_LABEL }, labels },
    [],
    [{ name: "portal" }, { name: "portal", labels: { team: "web" } }],
  ),
  outputs: outputsSchema({ name: { type: "string" } }),
  replaceOnChange: ["name"],
  validate: (properties, name) => (properties["name"] === undefined ? objectNameIssues(name) : []),
  newId: () => uuid(),
  makeOutputs: (context) => ({ id: context.id, name: str(context.properties, "name") ?? context.name }),
  claims: (resource) => [`unique:k8s namespace ${resource.outputs["name"]}`],
};

const containerPort = {
  anyOf: [
    port,
    {
      type: "object",
      properties: { containerPort: port, protocol: enumOf("TCP", "UDP", "SCTP"), name: nonEmpty },
      required: ["containerPort"],
      additionalProperties: false,
    },
  ],
};

const deployment: CatalogEntry = {
  type: "kubernetes:apps:deployment",
  description: "A Deployment running `replicas` pods of one container image.",
  properties: propertiesSchema(
    {
      namespace,
      image: nonEmpty,
      replicas: { type: "integer", minimum: 0, maximum: 1000 },
      ports: { type: "array", items: containerPort },
      env: stringMap,
      command: stringList,
      labels,
    },
    ["image"],
    [
      { namespace: "portal", image: "customer-portal:1.4.2", replicas: 2, ports: [8080] },
      { namespace: "portal", image: "customer-portal:1.4.3", replicas: 3, ports: [8080] },
    ],
  ),
  outputs: outputsSchema({ ...objectOutputSchema, readyReplicas: { type: "integer" } }),
  replaceOnChange: ["namespace"],
  validate: (_properties, name) => objectNameIssues(name),
  newId: () => uuid(),
  makeOutputs: (context) => ({
    ...objectOutputs(context),
    readyReplicas: typeof context.properties["replicas"] === "number" ? context.properties["replicas"] : 1,
  }),
  claims: objectClaim("deployment"),
};

const servicePort = {
  anyOf: [
    port,
    {
      type: "object",
      properties: {
        port,
        targetPort: { anyOf: [port, { type: "string", minLength: 1 }] },
        nodePort: { type: "integer", minimum: 30000, maximum: 32767 },
        protocol: enumOf("TCP", "UDP", "SCTP"),
        name: nonEmpty,
      },
      required: ["port"],
      additionalProperties: false,
    },
  ],
};

/** The default service CIDR of kubeadm and kind. */
const SERVICE_RANGE = parseCidr("10.96.0.0/16")!;

const service: CatalogEntry = {
  type: "kubernetes:core:service",
  description: "A Service selecting pods by label; gets a cluster IP in 10.96.0.0/16.",
  properties: propertiesSchema(
    {
      namespace,
      selector: stringMap,
      ports: { type: "array", minItems: 1, items: servicePort },
      type: enumOf("ClusterIP", "NodePort", "LoadBalancer"),
      labels,
    },
    ["ports"],
    [
      {
        namespace: "portal",
        selector: { app: "portal" },
        ports: [{ port: 80, targetPort: 8080 }],
        type: "ClusterIP",
      },
      {
        namespace: "portal",
        selector: { app: "portal" },
        ports: [{ port: 80, targetPort: 8080 }],
        type: "NodePort",
      },
    ],
  ),
  outputs: outputsSchema({ ...objectOutputSchema, clusterIp: { type: "string" } }, ["id", "clusterIp"]),
  replaceOnChange: ["namespace"],
  validate: (_properties, name) => objectNameIssues(name),
  newId: () => uuid(),
  makeOutputs(context) {
    const previous = context.previous?.["clusterIp"];
    // 10.96.0.1 is the API server's own `kubernetes` service.
    const clusterIp =
      typeof previous === "string"
        ? previous
        : allocateAddress(
            SERVICE_RANGE,
            context.seed,
            (ip) => context.world.isClaimed(`addr:service ${ip}`),
            {
              first: 2,
              last: 1,
            },
          );
    if (!clusterIp)
      throw new ProviderError("QUOTA_EXCEEDED", "the service CIDR 10.96.0.0/16 has no free address");
    return { ...objectOutputs(context), clusterIp };
  },
  claims: (resource) => [
    ...objectClaim("service")(resource),
    `addr:service ${resource.outputs["clusterIp"]}`,
  ],
};

const configmap: CatalogEntry = {
  type: "kubernetes:core:configmap",
  description: "A ConfigMap of string keys and values.",
  properties: propertiesSchema(
    { namespace, data: stringMap, labels },
    [],
    [
      { namespace: "portal", data: { LOG_LEVEL: "info" } },
      { namespace: "portal", data: { LOG_LEVEL: "debug", FEATURE_X: "on" } },
    ],
  ),
  outputs: outputsSchema(objectOutputSchema),
  replaceOnChange: ["namespace"],
  validate: (_properties, name) => objectNameIssues(name),
  newId: () => uuid(),
  makeOutputs: objectOutputs,
  claims: objectClaim("configmap"),
};

export const KUBERNETES_ENTRIES: CatalogEntry[] = [namespaceEntry, deployment, service, configmap];
