import { isObject, type Json, type JsonObject } from "./fields.ts";

/** One served resource: where it lives in the API and how the emulator treats it. */
export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** metadata.generation follows spec changes. */
  generation?: boolean;
  /** The main resource ignores status; /status writes it. */
  statusSubresource?: boolean;
}

export const groupVersion = (info: Pick<KindInfo, "group" | "version">) =>
  info.group ? `${info.group}/${info.version}` : info.version;

/** `deployments.apps`, as Status messages name a resource. */
export const qualified = (info: KindInfo) => (info.group ? `${info.plural}.${info.group}` : info.plural);

export const BUILTIN_KINDS: KindInfo[] = [
  {
    group: "",
    version: "v1",
    kind: "Namespace",
    plural: "namespaces",
    singular: "namespace",
    namespaced: false,
    shortNames: ["ns"],
    statusSubresource: true,
  },
  {
    group: "",
    version: "v1",
    kind: "ConfigMap",
    plural: "configmaps",
    singular: "configmap",
    namespaced: true,
    shortNames: ["cm"],
  },
  { group: "", version: "v1", kind: "Secret", plural: "secrets", singular: "secret", namespaced: true },
  {
    group: "",
    version: "v1",
    kind: "Service",
    plural: "services",
    singular: "service",
    namespaced: true,
    shortNames: ["svc"],
    statusSubresource: true,
  },
  {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    singular: "deployment",
    namespaced: true,
    shortNames: ["deploy"],
    generation: true,
    statusSubresource: true,
  },
  {
    group: "apps",
    version: "v1",
    kind: "StatefulSet",
    plural: "statefulsets",
    singular: "statefulset",
    namespaced: true,
    shortNames: ["sts"],
    generation: true,
    statusSubresource: true,
  },
  {
    group: "apps",
    version: "v1",
    kind: "DaemonSet",
    plural: "daemonsets",
    singular: "daemonset",
    namespaced: true,
    shortNames: ["ds"],
    generation: true,
    statusSubresource: true,
  },
  {
    group: "networking.k8s.io",
    version: "v1",
    kind: "Ingress",
    plural: "ingresses",
    singular: "ingress",
    namespaced: true,
    shortNames: ["ing"],
    generation: true,
    statusSubresource: true,
  },
  {
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    singular: "customresourcedefinition",
    namespaced: false,
    shortNames: ["crd"],
    generation: true,
    statusSubresource: true,
  },
];

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function apiResourceList(groupVersionName: string, kinds: KindInfo[]): JsonObject {
  const resources: Json[] = [];
  for (const info of kinds) {
    resources.push({
      name: info.plural,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: VERBS,
      ...(info.shortNames ? { shortNames: info.shortNames } : {}),
    });
    if (info.statusSubresource)
      resources.push({
        name: `${info.plural}/status`,
        singularName: "",
        namespaced: info.namespaced,
        kind: info.kind,
        verbs: ["get", "patch", "update"],
      });
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersionName, resources };
}

export function apiGroupList(kinds: KindInfo[]): JsonObject {
  const groups = new Map<string, Set<string>>();
  for (const info of kinds) {
    if (!info.group) continue;
    const versions = groups.get(info.group) ?? new Set<string>();
    versions.add(info.version);
    groups.set(info.group, versions);
  }
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups.entries()].map(([name, versions]) => {
      const list = [...versions].map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: list, preferredVersion: list[0] ?? null };
    }),
  };
}

/** The kind a CustomResourceDefinition declares, once stored. */
export function kindFromCrd(crd: JsonObject): KindInfo | undefined {
  const spec = crd["spec"];
  if (!isObject(spec) || !isObject(spec["names"]) || !Array.isArray(spec["versions"])) return undefined;
  const names = spec["names"];
  const served = spec["versions"].find((version) => isObject(version) && version["served"] !== false);
  if (!isObject(served) || typeof spec["group"] !== "string") return undefined;
  return {
    group: spec["group"],
    version: String(served["name"]),
    kind: String(names["kind"]),
    plural: String(names["plural"]),
    singular: String(names["singular"] ?? String(names["kind"]).toLowerCase()),
    namespaced: spec["scope"] !== "Cluster",
    generation: true,
    ...(Array.isArray(names["shortNames"]) ? { shortNames: names["shortNames"].map(String) } : {}),
  };
}

/** A Status failure body, as every API server error looks. */
export function statusBody(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export class ApiError extends Error {
  readonly code: number;
  readonly body: JsonObject;
  constructor(code: number, reason: string, message: string, details?: JsonObject) {
    super(message);
    this.code = code;
    this.body = statusBody(code, reason, message, details);
  }
}

export const notFound = (info: KindInfo, name: string) =>
  new ApiError(404, "NotFound", `${qualified(info)} "${name}" not found`, {
    name,
    ...(info.group ? { group: info.group } : {}),
    kind: info.plural,
  });

export interface Cause {
  reason: string;
  field: string;
  message: string;
}

/** 422 Invalid, naming every field path in details.causes. */
export function invalid(info: KindInfo, name: string, causes: Cause[]): ApiError {
  const texts = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const joined = texts.length === 1 ? texts[0] : `[${texts.join(", ")}]`;
  const kindName = info.group ? `${info.kind}.${info.group}` : info.kind;
  return new ApiError(422, "Invalid", `${kindName} "${name}" is invalid: ${joined}`, {
    name,
    ...(info.group ? { group: info.group } : {}),
    kind: info.kind,
    causes: causes as unknown as Json[],
  });
}
