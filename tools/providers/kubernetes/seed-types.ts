import * as catalog from "../../protocol/catalog/kubernetes.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import { withoutBookkeeping } from "./identity.ts";
import type { KubeObject } from "./kube-client.ts";
import type { Mapping } from "./object-handler.ts";

/**
 * The catalog's short types (design §4, schemas in tools/protocol/catalog/kubernetes.ts) mapped onto manifests:
 * namespace, deployment (one container), service and configmap.
 */

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
  ...catalog.namespaceType,
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

/** A port written as a bare number stays one when it reads back with nothing else set. */
const shortPort = (key: string) => (item: unknown) => {
  const entry = rec(item);
  return Object.keys(entry).length === 1 && typeof entry[key] === "number" ? entry[key] : item;
};

const deploymentMapping: Mapping = {
  ...catalog.deploymentType,
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

const serviceMapping: Mapping = {
  ...catalog.serviceType,
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
  ...catalog.configMapType,
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
