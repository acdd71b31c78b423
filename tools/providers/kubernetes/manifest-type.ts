import { OPTION_SCHEMAS } from "../../protocol/catalog/kubernetes.ts";
import { type PropertyMap, secretDigest } from "../../protocol/index.ts";
import { withoutBookkeeping } from "./identity.ts";
import type { KubeObject } from "./kube-client.ts";
import type { Mapping } from "./object-handler.ts";

/** `kubernetes:<group>/<version>:<Kind>` (`kubernetes:v1:Secret`, `kubernetes:apps/v1:StatefulSet`). */
export function parseManifestType(type: string): { apiVersion: string; kind: string } | undefined {
  const match = /^[^:]+:((?:[a-z0-9.-]+\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?):([A-Z][A-Za-z0-9]*)$/.exec(type);
  return match ? { apiVersion: match[1]!, kind: match[2]! } : undefined;
}

export const manifestType = (apiVersion: string, kind: string) => `kubernetes:${apiVersion}:${kind}`;

const rec = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** Valid sample manifests for the kinds people use most, so describe and the conformance kit have examples. */
const EXAMPLES: Record<string, PropertyMap[]> = {
  "v1:Secret": [
    { metadata: { namespace: "default" }, type: "Opaque", stringData: { password: "example-1" } },
    { metadata: { namespace: "default" }, type: "Opaque", stringData: { password: "example-2" } },
  ],
  "apps/v1:StatefulSet": [1, 2].map((replicas) => ({
    metadata: { namespace: "default" },
    spec: {
      serviceName: "db",
      replicas,
      selector: { matchLabels: { app: "db" } },
      template: {
        metadata: { labels: { app: "db" } },
        spec: { containers: [{ name: "db", image: "postgres:16" }] },
      },
    },
  })),
  "networking.k8s.io/v1:Ingress": ["portal", "portal-v2"].map((service) => ({
    metadata: { namespace: "default" },
    spec: {
      rules: [
        {
          host: "portal.example.test",
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: service, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  })),
};

/** Any kind the cluster serves, as its manifest less apiVersion and kind. */
export function manifestMapping(apiVersion: string, kind: string, namespaced: boolean): Mapping {
  const isSecret = apiVersion === "v1" && kind === "Secret";
  const examples = EXAMPLES[`${apiVersion}:${kind}`];
  return {
    type: manifestType(apiVersion, kind),
    description:
      `A ${kind} (${apiVersion}) as a manifest without apiVersion and kind, applied with server-side apply; ` +
      `metadata.name defaults to the resource's name${namespaced ? ", metadata.namespace to the context's" : ""}.`,
    properties: {
      type: "object",
      properties: {
        metadata: {
          type: "object",
          properties: {
            name: { type: "string" },
            ...(namespaced ? { namespace: { type: "string" } } : {}),
            labels: { type: "object", additionalProperties: { type: "string" } },
            annotations: { type: "object", additionalProperties: { type: "string" } },
          },
        },
        ...OPTION_SCHEMAS,
      },
      additionalProperties: true,
      ...(examples ? { examples } : {}),
    },
    outputs: {
      type: "object",
      properties: {
        id: { type: "string" },
        name: { type: "string" },
        ...(namespaced ? { namespace: { type: "string" } } : {}),
        ...(kind === "Service" ? { clusterIp: { type: "string" } } : {}),
      },
      required: ["id"],
    },
    ...(isSecret ? { secretProperties: ["data", "stringData"] } : {}),
    apiVersion,
    kind,
    namespaced,
    toManifest(properties) {
      const { apiVersion: _a, kind: _k, ...rest } = properties;
      return {
        ...structuredClone(rest),
        apiVersion,
        kind,
        metadata: { ...rec(rest["metadata"]) },
      } as KubeObject;
    },
    fromLive(owned, live, marks) {
      const { apiVersion: _a, kind: _k, status: _s, metadata, ...rest } = owned;
      const meta: Record<string, unknown> = { ...rec(metadata) };
      delete meta["labels"];
      delete meta["annotations"];
      if (!marks.implicit.has("name")) meta["name"] = live.metadata.name;
      if (namespaced && !marks.implicit.has("namespace")) meta["namespace"] = live.metadata.namespace;
      const labels = withoutBookkeeping(rec(metadata)["labels"]);
      const annotations = withoutBookkeeping(rec(metadata)["annotations"]);
      if (labels) meta["labels"] = labels;
      if (annotations) meta["annotations"] = annotations;
      const properties: PropertyMap = {
        ...rest,
        ...(Object.keys(meta).length > 0 ? { metadata: meta } : {}),
      };
      if (isSecret) secretProperties(properties, owned, live);
      return properties;
    },
    ...(kind === "Service"
      ? { extraOutputs: (live: KubeObject) => ({ clusterIp: rec(live["spec"])["clusterIP"] }) }
      : {}),
  };
}

/**
 * A Secret reads back as digests: `data` of what is stored, `stringData` of the stored values of the
 * keys it was applied with (the server folds stringData into data, so that is where they live).
 */
function secretProperties(properties: PropertyMap, owned: Record<string, unknown>, live: KubeObject): void {
  const data = rec(live["data"]);
  if (owned["data"] !== undefined) properties["data"] = secretDigest(owned["data"]);
  const fields = Array.isArray(live.metadata["managedFields"]) ? live.metadata["managedFields"] : [];
  const keys = new Set<string>();
  for (const entry of fields) {
    for (const token of Object.keys(rec(rec(rec(entry)["fieldsV1"])["f:stringData"]))) {
      if (token.startsWith("f:")) keys.add(token.slice(2));
    }
  }
  if (keys.size === 0) return;
  const values: Record<string, string> = {};
  for (const key of keys) {
    const stored = data[key];
    if (typeof stored === "string") values[key] = Buffer.from(stored, "base64").toString("utf8");
  }
  properties["stringData"] = secretDigest(values);
}
