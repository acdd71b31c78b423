import type { PropertyMap } from "../../protocol/index.ts";
import { OPTION_SCHEMAS, withoutBookkeeping } from "./identity.ts";
import type { KubeObject } from "./kube-client.ts";
import type { Mapping } from "./object-handler.ts";

/**
 * The catalog's short types (design §4) with the mock's property names, mapped onto manifests:
 * namespace, deployment (one container), service and configmap.
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

const rec = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Only what is set: a property map without undefined values. */
function defined(map: Record<string, unknown>): PropertyMap {
  return Object.fromEntries(Object.entries(map).filter(([, value]) => value !== undefined));
}

function metadata(name: string, properties: PropertyMap): KubeObject["metadata"] {
  return defined({
    name,
    namespace: properties["namespace"],
    labels: properties["labels"] ? { ...(properties["labels"] as Record<string, string>) } : undefined,
  }) as KubeObject["metadata"];
}

function common(owned: Record<string, unknown>, live: KubeObject, implicitNamespace: boolean): PropertyMap {
  return defined({
    namespace: implicitNamespace ? undefined : live.metadata.namespace,
    labels: withoutBookkeeping(rec(owned["metadata"])["labels"]),
  });
}

const namespaceMapping: Mapping = {
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
  apiVersion: "v1",
  kind: "Namespace",
  namespaced: false,
  toManifest: (properties) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: defined({ name: properties["name"], labels: properties["labels"] }) as KubeObject["metadata"],
  }),
  fromLive: (owned, live, marks) =>
    defined({
      name: marks.implicit.has("name") ? undefined : live.metadata.name,
      labels: withoutBookkeeping(rec(owned["metadata"])["labels"]),
    }),
};

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

/** A port written as a bare number stays one when it reads back with nothing else set. */
const shortPort = (key: string) => (item: unknown) => {
  const entry = rec(item);
  return Object.keys(entry).length === 1 && typeof entry[key] === "number" ? entry[key] : item;
};

const deploymentMapping: Mapping = {
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
  apiVersion: "apps/v1",
  kind: "Deployment",
  namespaced: true,
  toManifest(properties, name) {
    const selector = { app: name };
    const env = properties["env"] as Record<string, string> | undefined;
    const container = defined({
      name: "app",
      image: properties["image"],
      ports: (properties["ports"] as unknown[] | undefined)?.map((item) =>
        typeof item === "number" ? { containerPort: item } : item,
      ),
      env: env ? Object.entries(env).map(([key, value]) => ({ name: key, value })) : undefined,
      command: properties["command"],
    });
    const podLabels = { ...(properties["labels"] as Record<string, string> | undefined), ...selector };
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: metadata(name, properties),
      spec: defined({
        replicas: properties["replicas"],
        selector: { matchLabels: selector },
        template: { metadata: { labels: podLabels }, spec: { containers: [container] } },
      }),
    };
  },
  fromLive(owned, live, marks) {
    const spec = rec(owned["spec"]);
    const container = rec(list(rec(rec(spec["template"])["spec"])["containers"])[0]);
    const env = list(container["env"]).map(rec);
    return defined({
      ...common(owned, live, marks.implicit.has("namespace")),
      image: container["image"],
      replicas: spec["replicas"],
      ports: container["ports"] ? list(container["ports"]).map(shortPort("containerPort")) : undefined,
      env:
        env.length > 0
          ? Object.fromEntries(env.map((item) => [item["name"], item["value"] ?? ""]))
          : undefined,
      command: container["command"],
    });
  },
  extraOutputs: (live) => ({ readyReplicas: rec(live["status"])["readyReplicas"] ?? 0 }),
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

const serviceMapping: Mapping = {
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
  apiVersion: "v1",
  kind: "Service",
  namespaced: true,
  toManifest: (properties, name) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(name, properties),
    spec: defined({
      selector: properties["selector"],
      ports: (properties["ports"] as unknown[] | undefined)?.map((item) =>
        typeof item === "number" ? { port: item } : item,
      ),
      type: properties["type"],
    }),
  }),
  fromLive(owned, live, marks) {
    const spec = rec(owned["spec"]);
    return defined({
      ...common(owned, live, marks.implicit.has("namespace")),
      selector: spec["selector"],
      ports: spec["ports"] ? list(spec["ports"]).map(shortPort("port")) : undefined,
      type: spec["type"],
    });
  },
  extraOutputs: (live) => defined({ clusterIp: rec(live["spec"])["clusterIP"] }),
};

const configMapMapping: Mapping = {
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
  apiVersion: "v1",
  kind: "ConfigMap",
  namespaced: true,
  toManifest: (properties, name) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(name, properties),
    ...(properties["data"] ? { data: properties["data"] } : {}),
  }),
  fromLive: (owned, live, marks) =>
    defined({ ...common(owned, live, marks.implicit.has("namespace")), data: owned["data"] }),
};

export const SEED_MAPPINGS: Mapping[] = [
  namespaceMapping,
  deploymentMapping,
  serviceMapping,
  configMapMapping,
];
