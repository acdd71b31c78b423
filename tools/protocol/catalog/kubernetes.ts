import type { PropertyMap } from "../schemas.ts";
import type { JsonSchema } from "../type-handler.ts";
import type { CatalogType } from "./types.ts";

/**
 * The seed's Kubernetes short types (design §4), table-like data: the real provider
 * (tools/providers/kubernetes, which maps them onto manifests) and the sandbox's mock describe exactly these.
 */

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
const stringMap = { type: "object", additionalProperties: { type: "string" } };
const port = { type: "integer", minimum: 1, maximum: 65535 };
const namespace = {
  type: "string",
  pattern: DNS_LABEL,
  description: "the namespace; the context's when omitted",
};
const labels = {
  ...stringMap,
  description: "labels; mcp-iac adds app.kubernetes.io/managed-by and its deployment label",
};

export const PROPAGATION_POLICIES = ["Foreground", "Background", "Orphan"] as const;

/** Resource-level options of every Kubernetes type, short or manifest: never sent in a manifest. */
export const OPTION_SCHEMAS: Record<string, JsonSchema> = {
  forceConflicts: {
    type: "boolean",
    description: "take over fields another field manager owns (server-side apply force)",
  },
  timeoutSeconds: {
    type: "integer",
    minimum: 1,
    description: "how long to wait for readiness or deletion (default 300)",
  },
  propagationPolicy: {
    enum: [...PROPAGATION_POLICIES],
    description:
      "what a delete does with dependents: Foreground (the default: they go first), Background, Orphan",
  },
};

function schema(properties: Record<string, unknown>, required: string[], examples: PropertyMap[]) {
  return {
    type: "object",
    properties: { ...properties, ...OPTION_SCHEMAS },
    required,
    additionalProperties: false,
    examples,
  };
}

const outputSchema = (extra: Record<string, unknown> = {}, namespaced = true) => ({
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    ...(namespaced ? { namespace: { type: "string" } } : {}),
    ...extra,
  },
  required: ["id"],
});

const containerPort = {
  anyOf: [
    port,
    {
      type: "object",
      properties: {
        containerPort: port,
        protocol: { enum: ["TCP", "UDP", "SCTP"] },
        name: { type: "string" },
      },
      required: ["containerPort"],
      additionalProperties: false,
    },
  ],
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
        protocol: { enum: ["TCP", "UDP", "SCTP"] },
        name: { type: "string" },
      },
      required: ["port"],
      additionalProperties: false,
    },
  ],
};

export const namespaceType: CatalogType = {
  type: "kubernetes:core:namespace",
  description:
    "A namespace. `name` defaults to the resource's name; deleting it waits until its contents are gone.",
  properties: schema(
    { name: { type: "string", pattern: DNS_LABEL }, labels },
    [],
    [{ labels: { team: "web" } }, { labels: { team: "ops" } }],
  ),
  outputs: outputSchema({}, false),
  replaceOnChange: ["name"],
};

export const deploymentType: CatalogType = {
  type: "kubernetes:apps:deployment",
  description:
    "A Deployment running `replicas` pods of one container image; pods are labelled app=<name>. Apply waits until the rollout is available.",
  properties: schema(
    {
      namespace,
      image: { type: "string", minLength: 1 },
      replicas: { type: "integer", minimum: 0, maximum: 1000 },
      ports: { type: "array", items: containerPort },
      env: stringMap,
      command: { type: "array", items: { type: "string" } },
      labels,
    },
    ["image"],
    [
      { namespace: "default", image: "customer-portal:1.4.2", replicas: 2, ports: [8080] },
      { namespace: "default", image: "customer-portal:1.4.3", replicas: 3, ports: [8080] },
    ],
  ),
  outputs: outputSchema({ readyReplicas: { type: "integer" } }),
  replaceOnChange: ["namespace"],
};

export const serviceType: CatalogType = {
  type: "kubernetes:core:service",
  description:
    "A Service selecting pods by label; outputs the cluster IP the API server allocated (clusterIp).",
  properties: schema(
    {
      namespace,
      selector: stringMap,
      ports: { type: "array", minItems: 1, items: servicePort },
      type: { enum: ["ClusterIP", "NodePort", "LoadBalancer"] },
      labels,
    },
    ["ports"],
    [
      {
        namespace: "default",
        selector: { app: "portal" },
        ports: [{ port: 80, targetPort: 8080 }],
        type: "ClusterIP",
      },
      {
        namespace: "default",
        selector: { app: "portal" },
        ports: [{ port: 80, targetPort: 8081 }],
        type: "ClusterIP",
      },
    ],
  ),
  outputs: outputSchema({ clusterIp: { type: "string" } }),
  replaceOnChange: ["namespace"],
};

export const configMapType: CatalogType = {
  type: "kubernetes:core:configmap",
  description: "A ConfigMap of string keys and values.",
  properties: schema(
    { namespace, data: stringMap, labels },
    [],
    [
      { namespace: "default", data: { LOG_LEVEL: "info" } },
      { namespace: "default", data: { LOG_LEVEL: "debug", FEATURE_X: "on" } },
    ],
  ),
  outputs: outputSchema(),
  replaceOnChange: ["namespace"],
};

/** In the design's order. */
export const KUBERNETES_TYPES: readonly CatalogType[] = [
  namespaceType,
  deploymentType,
  serviceType,
  configMapType,
];
