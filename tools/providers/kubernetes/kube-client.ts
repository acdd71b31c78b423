import type { KubeConfig, KubernetesObject, V1APIResource, V1APIResourceList } from "@kubernetes/client-node";
import { jsonCopy } from "../../../core/json-copy.ts";
import { ProviderError } from "../../protocol/index.ts";
import { kubeError, statusOf } from "./kube-errors.ts";
import { type KubeLibrary, loadKubeLibrary } from "./kube-library.ts";

/** A Kubernetes object as plain JSON (the client's typed models turned back into wire form). */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace?: string };
};

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

/** The field manager every write of this provider uses. */
export const FIELD_MANAGER = "mcp-iac";

/** Exposes the object API's discovery (resource lookup by kind), which it keeps protected. */
function discoveringObjectApi(library: KubeLibrary) {
  return class DiscoveringObjectApi extends library.KubernetesObjectApi {
    lookup(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
      return this.resource(apiVersion, kind);
    }
    async resourceList(apiVersion: string): Promise<V1APIResourceList | undefined> {
      await this.resource(apiVersion, "\u0000");
      return this.apiVersionResourceCache[apiVersion];
    }
    useNamespaceOf(kc: KubeConfig): void {
      this.defaultNamespace = this.setDefaultNamespace(kc);
    }
  };
}

type DiscoveringObjectApi = InstanceType<ReturnType<typeof discoveringObjectApi>>;

/** The client's model objects (Dates and all) as the plain JSON the API sent. */
const plain = (value: unknown): KubeObject => jsonCopy(value) as KubeObject;

export const describeRef = (ref: ObjectRef): string =>
  `${ref.kind.toLowerCase()} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;

/** One cluster, reached through @kubernetes/client-node with the usual kubeconfig rules. */
export class KubeClient {
  readonly server: string;
  readonly context: string;
  readonly defaultNamespace: string;
  private readonly api: DiscoveringObjectApi;
  private readonly kc: KubeConfig;
  private readonly library: KubeLibrary;

  /**
   * The client of `kc` (default: the kubeconfig from the usual places, see loadKubeConfig), once the
   * library is loaded. Throws the ProviderError loadKubeConfig throws.
   */
  static async open(kc: KubeConfig | undefined, env: NodeJS.ProcessEnv): Promise<KubeClient> {
    const library = await loadKubeLibrary();
    return new KubeClient(kc ?? loadKubeConfig(library, env), library);
  }

  private constructor(kc: KubeConfig, library: KubeLibrary) {
    this.kc = kc;
    this.library = library;
    this.api = kc.makeApiClient(discoveringObjectApi(library));
    this.api.useNamespaceOf(kc);
    this.server = kc.getCurrentCluster()?.server ?? "(no cluster)";
    this.context = kc.getCurrentContext();
    this.defaultNamespace = kc.getContextObject(this.context)?.namespace || "default";
  }

  private fail(error: unknown, what: string): never {
    throw kubeError(error, what, this.server);
  }

  async apply(
    manifest: KubeObject,
    options: { dryRun?: boolean; force?: boolean } = {},
  ): Promise<KubeObject> {
    try {
      const result = await this.api.patch(
        manifest as KubernetesObject,
        undefined,
        options.dryRun ? "All" : undefined,
        FIELD_MANAGER,
        options.force ?? false,
        this.library.PatchStrategy.ServerSideApply,
      );
      return plain(result);
    } catch (error) {
      this.fail(error, describeRef(refOf(manifest)));
    }
  }

  /** The live object, or null when it does not exist. */
  async read(ref: ObjectRef): Promise<KubeObject | null> {
    try {
      const header = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      };
      return plain(await this.api.read(header));
    } catch (error) {
      if (statusOf(error)?.code === 404) return null;
      this.fail(error, describeRef(ref));
    }
  }

  async list(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string } = {},
  ): Promise<KubeObject[]> {
    try {
      const list = await this.api.list(
        apiVersion,
        kind,
        options.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        options.labelSelector,
      );
      // Items of a list carry no kind or apiVersion on the wire.
      return list.items.map((item) => ({ ...plain(item), apiVersion, kind }));
    } catch (error) {
      this.fail(error, `listing ${kind} (${apiVersion})`);
    }
  }

  /** DELETE with a propagation policy; false when it was already gone. */
  async delete(ref: ObjectRef, propagationPolicy: string): Promise<boolean> {
    try {
      const header = {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      };
      await this.api.delete(header, undefined, undefined, undefined, undefined, propagationPolicy);
      return true;
    } catch (error) {
      if (statusOf(error)?.code === 404) return false;
      this.fail(error, describeRef(ref));
    }
  }

  /** The API resource for a kind (discovery), or undefined when the cluster does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    try {
      return await this.api.lookup(apiVersion, kind);
    } catch (error) {
      if (statusOf(error)?.code === 404) return undefined;
      this.fail(error, `discovery of ${apiVersion} ${kind}`);
    }
  }

  /** Every group version the cluster serves, core first. */
  async groupVersions(): Promise<string[]> {
    try {
      const core = await this.kc.makeApiClient(this.library.CoreApi).getAPIVersions();
      const groups = await this.kc.makeApiClient(this.library.ApisApi).getAPIVersions();
      const named = groups.groups.flatMap((group) => group.versions.map((version) => version.groupVersion));
      return [...core.versions, ...named];
    } catch (error) {
      this.fail(error, "discovery");
    }
  }

  /** The kinds of one group version that can be listed (no subresources). */
  async kinds(groupVersion: string): Promise<V1APIResource[]> {
    try {
      const list = await this.api.resourceList(groupVersion);
      return (list?.resources ?? []).filter(
        (item) => !item.name.includes("/") && item.verbs.includes("list"),
      );
    } catch (error) {
      if (statusOf(error)?.code === 404) return [];
      this.fail(error, `discovery of ${groupVersion}`);
    }
  }

  /** Undefined when the API server answers; the reason otherwise. */
  async problem(): Promise<string | undefined> {
    try {
      await this.kc.makeApiClient(this.library.CoreApi).getAPIVersions();
      return undefined;
    } catch (error) {
      return kubeError(error, "health check", this.server).message;
    }
  }
}

export const refOf = (object: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
}): ObjectRef => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  name: object.metadata.name,
  namespace: object.metadata.namespace,
});

/**
 * The kubeconfig from the usual places (KUBECONFIG, ~/.kube/config, in-cluster), with the context
 * KUBE_CONTEXT names, else the current one.
 */
export function loadKubeConfig(library: KubeLibrary, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new library.KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (error) {
    throw new ProviderError(
      "VALIDATION_FAILED",
      `the kubeconfig cannot be read (${(error as Error).message}); set KUBECONFIG to a valid file`,
    );
  }
  const wanted = env["KUBE_CONTEXT"];
  if (wanted) {
    if (!kc.getContextObject(wanted)) {
      const known = kc.contexts.map((context) => context.name).join(", ") || "none";
      throw new ProviderError(
        "VALIDATION_FAILED",
        `KUBE_CONTEXT names context "${wanted}", which the kubeconfig does not have (it has: ${known})`,
      );
    }
    kc.setCurrentContext(wanted);
  }
  return kc;
}
