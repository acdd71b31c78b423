import * as catalog from "../../protocol/catalog/kubernetes.ts";
import { type PropertyMap, ProviderError, type ValidationIssue } from "../../protocol/index.ts";
import type { CatalogEntry, OutputContext, WorldResource } from "./catalog-entry.ts";
import { allocateAddress, parseCidr, uuid } from "./net.ts";
import { str } from "./schema-parts.ts";

type Issue = Omit<ValidationIssue, "resource">;

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
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

const namespaceEntry: CatalogEntry = {
  ...catalog.namespaceType,
  validate: (properties, name) => (properties["name"] === undefined ? objectNameIssues(name) : []),
  newId: () => uuid(),
  makeOutputs: (context) => ({ id: context.id, name: str(context.properties, "name") ?? context.name }),
  claims: (resource) => [`unique:k8s namespace ${resource.outputs["name"]}`],
};

const deployment: CatalogEntry = {
  ...catalog.deploymentType,
  validate: (_properties, name) => objectNameIssues(name),
  newId: () => uuid(),
  makeOutputs: (context) => ({
    ...objectOutputs(context),
    readyReplicas: typeof context.properties["replicas"] === "number" ? context.properties["replicas"] : 1,
  }),
  claims: objectClaim("deployment"),
};

/** The default service CIDR of kubeadm and kind. */
const SERVICE_RANGE = parseCidr("10.96.0.0/16")!;

const service: CatalogEntry = {
  ...catalog.serviceType,
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
  ...catalog.configMapType,
  validate: (_properties, name) => objectNameIssues(name),
  newId: () => uuid(),
  makeOutputs: objectOutputs,
  claims: objectClaim("configmap"),
};

export const KUBERNETES_ENTRIES: CatalogEntry[] = [namespaceEntry, deployment, service, configmap];
