/**
 * `@kubernetes/client-node`, imported on first use: it is ~1,100 modules, most of a second of CPU,
 * and a provider that is only started, described or asked to validate never talks to a cluster.
 */
export type KubeLibrary = typeof import("@kubernetes/client-node");

let loading: Promise<KubeLibrary> | undefined;
let loaded: KubeLibrary | undefined;

export function loadKubeLibrary(): Promise<KubeLibrary> {
  loading ??= import("@kubernetes/client-node").then((library) => {
    loaded = library;
    return library;
  });
  return loading;
}

/** The library if it is loaded; until then no object of it (an ApiException) can exist. */
export function kubeLibraryIfLoaded(): KubeLibrary | undefined {
  return loaded;
}
