import { readFileSync } from "node:fs";
import type { KubeConfig } from "@kubernetes/client-node";
import { createResourceProvider, type ListedResource, ProviderError } from "../../protocol/index.ts";
import { DEPLOYMENT_LABEL, labelValue, MANAGED_BY, MANAGED_BY_LABEL, marksOf } from "./identity.ts";
import { KubeClient, type KubeObject } from "./kube-client.ts";
import { manifestMapping, manifestType, parseManifestType } from "./manifest-type.ts";
import { type HandlerSettings, type ObjectTypeHandler, objectHandler } from "./object-handler.ts";
import { SEED_MAPPINGS } from "./seed-types.ts";

export interface KubernetesProviderOptions {
  /** Where KUBE_CONTEXT, MCP_IAC_SERVER_NAME and KUBE_WAIT_TIMEOUT_SECONDS are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A loaded kubeconfig; default: the usual places (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeConfig?: KubeConfig;
  /** Readiness and deletion wait; default KUBE_WAIT_TIMEOUT_SECONDS, else 300 s. */
  timeoutMs?: number;
  pollMs?: number;
}

const NAME = "kubernetes";

function packageVersion(): string {
  try {
    const url = new URL("../../../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

const INSTRUCTIONS =
  "Manages objects on one Kubernetes cluster with server-side apply (field manager mcp-iac): the short types " +
  "namespace, deployment, service and configmap, and any manifest as kubernetes:<group>/<version>:<Kind>. " +
  "Plans are server-side dry runs; workloads are applied once their rollout is available.";

/** What is on the cluster, managed or not, typed as the provider serves it. */
function clusterListing(
  connect: () => Promise<KubeClient>,
  resolveType: (type: string) => Promise<ObjectTypeHandler | undefined>,
  seedFor: (apiVersion: string, kind: string) => ObjectTypeHandler | undefined,
  handlers: ReadonlyMap<string, ObjectTypeHandler>,
) {
  /** Kinds to list: the one type asked for, every listable kind for a deployment, else the known types. */
  async function kindsToList(filter: { type?: string; deploymentId?: string }) {
    if (filter.type) {
      const handler = await resolveType(filter.type);
      if (!handler)
        throw new ProviderError("UNSUPPORTED", `${NAME} does not serve resources of type ${filter.type}`);
      return [handler.mapping];
    }
    if (!filter.deploymentId) return [...handlers.values()].map((handler) => handler.mapping);
    const kinds = [];
    const client = await connect();
    for (const groupVersion of await client.groupVersions())
      for (const resource of await client.kinds(groupVersion))
        kinds.push({ apiVersion: groupVersion, kind: resource.kind, namespaced: resource.namespaced });
    return kinds;
  }

  async function describeObject(
    object: KubeObject,
    wanted: string | undefined,
  ): Promise<ListedResource | undefined> {
    const marks = marksOf(object);
    const ownType = marks.managed ? marks.type : undefined;
    // A managed object of another type (a Deployment applied as apps/v1:Deployment) is that type's.
    if (wanted && ownType && ownType !== wanted) return undefined;
    const type =
      wanted ??
      ownType ??
      seedFor(object.apiVersion, object.kind)?.type ??
      manifestType(object.apiVersion, object.kind);
    const handler = await resolveType(type);
    if (!handler) return undefined;
    const { properties, outputs } = handler.describeLive(object);
    return {
      id: String(outputs["id"]),
      type,
      ...(marks.managed && marks.name ? { name: marks.name } : {}),
      ...(marks.managed && marks.deploymentId ? { deploymentId: marks.deploymentId } : {}),
      properties,
      outputs,
      managed: marks.managed,
    };
  }

  async function list(filter: { type?: string; deploymentId?: string }): Promise<ListedResource[]> {
    const selector = filter.deploymentId
      ? `${MANAGED_BY_LABEL}=${MANAGED_BY},${DEPLOYMENT_LABEL}=${labelValue(filter.deploymentId)}`
      : undefined;
    const listed: ListedResource[] = [];
    for (const kind of await kindsToList(filter)) {
      const client = await connect();
      const objects = await client.list(
        kind.apiVersion,
        kind.kind,
        selector ? { labelSelector: selector } : {},
      );
      for (const object of objects) {
        if (filter.deploymentId && marksOf(object).deploymentId !== filter.deploymentId) continue;
        const entry = await describeObject(object, filter.type);
        if (entry) listed.push(entry);
      }
    }
    return listed;
  }
  return list;
}

/**
 * The cluster's client, opened on the first call that needs it (the library loads then, see
 * kube-library.ts). Describe and validate answer without it; a kubeconfig that cannot be used fails
 * every call that needs the cluster with the same error.
 */
function clusterConnection(kubeConfig: KubeConfig | undefined, env: NodeJS.ProcessEnv) {
  let opened: Promise<KubeClient> | undefined;
  return (): Promise<KubeClient> => {
    opened ??= KubeClient.open(kubeConfig, env).catch((error: unknown) => {
      throw ProviderError.isInstance(error)
        ? error
        : new ProviderError(
            "VALIDATION_FAILED",
            `the kubeconfig cannot be used: ${(error as Error).message}`,
          );
    });
    return opened;
  };
}

/** The Kubernetes provider: the iac.mcp/v1 tools over @kubernetes/client-node. */
export function createKubernetesProvider(options: KubernetesProviderOptions = {}) {
  const env = options.env ?? process.env;
  const mountName = env["MCP_IAC_SERVER_NAME"] || undefined;
  const connect = clusterConnection(options.kubeConfig, env);
  const waitSeconds = Number(env["KUBE_WAIT_TIMEOUT_SECONDS"]) || 300;
  const settings: HandlerSettings = {
    timeoutMs: options.timeoutMs ?? waitSeconds * 1000,
    pollMs: options.pollMs ?? 100,
  };
  const seed = SEED_MAPPINGS.map((mapping) => objectHandler(mapping, connect, settings));
  const handlers = new Map<string, ObjectTypeHandler>(seed.map((handler) => [handler.type, handler]));
  /** The short type that reads a kind, for objects the provider did not apply itself. */
  const seedFor = (apiVersion: string, kind: string) =>
    seed.find((handler) => handler.mapping.apiVersion === apiVersion && handler.mapping.kind === kind);

  async function resolveType(type: string): Promise<ObjectTypeHandler | undefined> {
    const known = handlers.get(type);
    if (known) return known;
    const gvk = parseManifestType(type);
    if (!gvk) return undefined;
    const client = await connect();
    const resource = await client.resource(gvk.apiVersion, gvk.kind);
    if (!resource) return undefined;
    const handler = objectHandler(
      manifestMapping(gvk.apiVersion, gvk.kind, resource.namespaced),
      connect,
      settings,
    );
    handlers.set(handler.type, handler);
    return handler;
  }

  async function searchTypes(query: string): Promise<string[]> {
    const words = query
      .toLowerCase()
      .split(/[\s,]+/)
      .filter(Boolean);
    const found: string[] = [];
    const client = await connect();
    for (const groupVersion of await client.groupVersions()) {
      for (const resource of await client.kinds(groupVersion)) {
        const text = `${groupVersion} ${resource.kind} ${resource.name}`.toLowerCase();
        if (words.every((word) => text.includes(word))) found.push(manifestType(groupVersion, resource.kind));
      }
    }
    return found.slice(0, 50);
  }

  const list = clusterListing(connect, resolveType, seedFor, handlers);

  const version = packageVersion();
  const provider = createResourceProvider({
    name: mountName ?? NAME,
    version,
    instructions: INSTRUCTIONS,
    types: seed,
    list,
    resolveType,
    searchTypes,
    ...(mountName ? { mountName } : {}),
    health: () =>
      connect().then(
        (client) => client.problem(),
        (error: ProviderError) => error.message,
      ),
  });
  return provider;
}
