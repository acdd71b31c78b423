import { createHash } from "node:crypto";
import { PROPAGATION_POLICIES } from "../../protocol/catalog/kubernetes.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import type { KubeObject, ObjectRef } from "./kube-client.ts";

/** What the provider writes on every object it applies (design §5: ours can be told from the rest). */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "mcp-iac";
export const DEPLOYMENT_LABEL = "mcp-iac/deployment";
const NAME_ANNOTATION = "mcp-iac/name";
const DEPLOYMENT_ANNOTATION = "mcp-iac/deployment";
const TYPE_ANNOTATION = "mcp-iac/type";
/** Identity fields the provider filled in (name from the resource name, the default namespace). */
const IMPLICIT_ANNOTATION = "mcp-iac/implicit";
/** The provider's own resource options (forceConflicts, timeoutSeconds, propagationPolicy), read back too. */
const OPTIONS_ANNOTATION = "mcp-iac/options";

const BOOKKEEPING = new Set([
  MANAGED_BY_LABEL,
  DEPLOYMENT_LABEL,
  NAME_ANNOTATION,
  TYPE_ANNOTATION,
  IMPLICIT_ANNOTATION,
  OPTIONS_ANNOTATION,
]);

/** Resource-level options: properties of ours, never sent in a manifest. */
export const OPTION_KEYS = ["forceConflicts", "timeoutSeconds", "propagationPolicy"] as const;
const POLICIES = PROPAGATION_POLICIES;
export interface ResourceOptions {
  forceConflicts?: boolean;
  timeoutSeconds?: number;
  /** How a delete treats dependents; Foreground (dependents first) by default. */
  propagationPolicy?: (typeof POLICIES)[number];
}

export function splitOptions(properties: PropertyMap): { options: ResourceOptions; rest: PropertyMap } {
  const rest = { ...properties };
  const options: ResourceOptions = {};
  if (typeof rest["forceConflicts"] === "boolean") options.forceConflicts = rest["forceConflicts"];
  if (typeof rest["timeoutSeconds"] === "number") options.timeoutSeconds = rest["timeoutSeconds"];
  const policy = POLICIES.find((item) => item === rest["propagationPolicy"]);
  if (policy) options.propagationPolicy = policy;
  for (const key of OPTION_KEYS) delete rest[key];
  return { options, rest };
}

/** A label value (≤ 63 characters of [A-Za-z0-9_.-]); longer or odd ids get a hash suffix. */
export function labelValue(text: string): string {
  if (/^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/.test(text)) return text;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 10);
  const head = text
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .slice(0, 50)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return head ? `${head}-${hash}` : hash;
}

/** An object name from a resource name: Kubernetes names are lowercase and have no '_'. */
export const objectNameFor = (resourceName: string): string => resourceName.toLowerCase().replace(/_/g, "-");

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const validObjectName = (name: string) => name.length <= 253 && DNS_SUBDOMAIN.test(name);

const record = (parent: Record<string, unknown>, key: string): Record<string, string> => {
  const value = parent[key];
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    return value as Record<string, string>;
  const created: Record<string, string> = {};
  parent[key] = created;
  return created;
};

/** Labels and annotations that tie an object to its deployment, resource and type. */
export function stamp(
  manifest: KubeObject,
  marks: { deploymentId: string; name: string; type: string; implicit: string[]; options: ResourceOptions },
): void {
  const labels = record(manifest.metadata, "labels");
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  labels[DEPLOYMENT_LABEL] = labelValue(marks.deploymentId);
  const annotations = record(manifest.metadata, "annotations");
  annotations[DEPLOYMENT_ANNOTATION] = marks.deploymentId;
  annotations[NAME_ANNOTATION] = marks.name;
  annotations[TYPE_ANNOTATION] = marks.type;
  if (marks.implicit.length > 0) annotations[IMPLICIT_ANNOTATION] = marks.implicit.join(",");
  if (Object.keys(marks.options).length > 0) annotations[OPTIONS_ANNOTATION] = JSON.stringify(marks.options);
}

export interface Marks {
  managed: boolean;
  deploymentId?: string;
  name?: string;
  type?: string;
  implicit: Set<string>;
  options: ResourceOptions;
}

export function marksOf(object: KubeObject): Marks {
  const labels = (object.metadata["labels"] ?? {}) as Record<string, string>;
  const annotations = (object.metadata["annotations"] ?? {}) as Record<string, string>;
  let options: ResourceOptions = {};
  try {
    options = JSON.parse(annotations[OPTIONS_ANNOTATION] ?? "{}") as ResourceOptions;
  } catch {
    options = {};
  }
  const deploymentId = annotations[DEPLOYMENT_ANNOTATION];
  return {
    managed: labels[MANAGED_BY_LABEL] === MANAGED_BY && deploymentId !== undefined,
    ...(deploymentId !== undefined ? { deploymentId } : {}),
    ...(annotations[NAME_ANNOTATION] !== undefined ? { name: annotations[NAME_ANNOTATION] } : {}),
    ...(annotations[TYPE_ANNOTATION] !== undefined ? { type: annotations[TYPE_ANNOTATION] } : {}),
    implicit: new Set((annotations[IMPLICIT_ANNOTATION] ?? "").split(",").filter(Boolean)),
    options,
  };
}

/** Labels or annotations without the provider's bookkeeping; undefined when nothing is left. */
export function withoutBookkeeping(map: unknown): Record<string, string> | undefined {
  if (typeof map !== "object" || map === null) return undefined;
  const kept = Object.entries(map as Record<string, string>).filter(([key]) => !BOOKKEEPING.has(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones, as kubectl prints them. */
export const idOf = (ref: { name: string; namespace?: string | undefined }, namespaced: boolean): string =>
  namespaced ? `${ref.namespace ?? "default"}/${ref.name}` : ref.name;

export function refFromId(
  id: string,
  kind: { apiVersion: string; kind: string; namespaced: boolean },
): ObjectRef | undefined {
  const parts = id.split("/");
  if (kind.namespaced ? parts.length !== 2 : parts.length !== 1) return undefined;
  if (parts.some((part) => !part)) return undefined;
  return kind.namespaced
    ? { apiVersion: kind.apiVersion, kind: kind.kind, namespace: parts[0], name: parts[1]! }
    : { apiVersion: kind.apiVersion, kind: kind.kind, name: parts[0]! };
}
