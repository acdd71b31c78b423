import { randomUUID } from "node:crypto";
import { applyDefaults, validate } from "./behaviour.ts";
import { deepEqual, isObject, type Json, type JsonObject } from "./fields.ts";
import {
  ApiError,
  BUILTIN_KINDS,
  groupVersion,
  invalid,
  type KindInfo,
  kindFromCrd,
  notFound,
  qualified,
} from "./kinds.ts";
import { isWorkload, templateImages, workloadStatus } from "./rollout.ts";

export interface ClusterOptions {
  /** How long a workload's pods take to become ready. */
  readyDelayMs?: number;
  /** How long the garbage collector takes for a foreground delete or a namespace's contents. */
  deleteDelayMs?: number;
}

export interface WriteOptions {
  dryRun: boolean;
  subresource?: string | undefined;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
function metaOf(object: JsonObject): JsonObject {
  if (!isObject(object["metadata"])) object["metadata"] = {};
  return object["metadata"] as JsonObject;
}

/** The API server's storage and controllers: objects by resource, namespace and name. */
export class Cluster {
  readonly kinds: KindInfo[] = [...BUILTIN_KINDS];
  /** Images whose pods never become ready: their workloads keep one replica unavailable. */
  readonly neverReady = new Set<string>();
  private readonly objects = new Map<string, JsonObject>();
  private revision = 1;
  private nextIp = 10;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly readyDelayMs: number;
  private readonly deleteDelayMs: number;

  constructor(options: ClusterOptions = {}) {
    this.readyDelayMs = options.readyDelayMs ?? 150;
    this.deleteDelayMs = options.deleteDelayMs ?? 50;
    const namespace = this.info("", "namespaces")!;
    for (const name of ["default", "kube-system", "kube-public"])
      this.store(namespace, "", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    this.store(this.info("", "services")!, "default", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
      spec: { ports: [{ name: "https", port: 443, targetPort: 6443 }], clusterIP: "10.96.0.1" },
    });
  }

  info(group: string, plural: string, version?: string): KindInfo | undefined {
    return this.kinds.find(
      (kind) => kind.group === group && kind.plural === plural && (!version || kind.version === version),
    );
  }

  private key(info: KindInfo, namespace: string, name: string): string {
    return `${qualified(info)}|${info.namespaced ? namespace : ""}|${name}`;
  }

  find(info: KindInfo, namespace: string, name: string): JsonObject | undefined {
    const found = this.objects.get(this.key(info, namespace, name));
    return found ? structuredClone(found) : undefined;
  }

  get(info: KindInfo, namespace: string, name: string): JsonObject {
    const found = this.find(info, namespace, name);
    if (!found) throw notFound(info, name);
    return found;
  }

  list(info: KindInfo, namespace: string | undefined): JsonObject[] {
    const prefix = `${qualified(info)}|${info.namespaced && namespace ? namespace : ""}`;
    return [...this.objects.entries()]
      .filter(([key]) =>
        namespace && info.namespaced ? key.startsWith(`${prefix}|`) : key.startsWith(`${qualified(info)}|`),
      )
      .map(([, object]) => structuredClone(object));
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  /** Stores without validation: the cluster's own objects at start. */
  private store(info: KindInfo, namespace: string, object: JsonObject): void {
    const meta = metaOf(object);
    Object.assign(meta, {
      ...(info.namespaced ? { namespace } : {}),
      uid: randomUUID(),
      creationTimestamp: now(),
      resourceVersion: String(++this.revision),
    });
    applyDefaults(info, object, { allocateClusterIp: () => this.allocateIp() });
    this.objects.set(this.key(info, namespace, String(meta["name"])), object);
  }

  private allocateIp(): string {
    const n = this.nextIp++;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  }

  private checkNamespace(info: KindInfo, namespace: string, creating: boolean): void {
    if (!info.namespaced) return;
    const ns = this.find(this.info("", "namespaces")!, "", namespace);
    if (!ns)
      throw new ApiError(404, "NotFound", `namespaces "${namespace}" not found`, {
        name: namespace,
        kind: "namespaces",
      });
    if (creating && isObject(ns["metadata"]) && ns["metadata"]["deletionTimestamp"])
      throw new ApiError(
        403,
        "Forbidden",
        `${qualified(info)} "${String(metaOf(ns)["name"])}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { kind: info.plural },
      );
  }

  /**
   * The write pipeline every verb goes through: identity, status rules, defaults, validation,
   * generation, no-op detection, resourceVersion, storage and the controllers' reaction.
   */
  write(
    info: KindInfo,
    namespace: string,
    name: string,
    old: JsonObject | undefined,
    incoming: JsonObject,
    options: WriteOptions,
  ): { object: JsonObject; created: boolean } {
    this.checkNamespace(info, namespace, old === undefined);
    let next = structuredClone(incoming);
    next["apiVersion"] = groupVersion(info);
    next["kind"] = info.kind;
    if (options.subresource === "status") {
      if (!old) throw notFound(info, name);
      next = { ...old, status: next["status"] ?? {}, metadata: metaOf(next) };
    } else if (info.statusSubresource) {
      if (old?.["status"] !== undefined) next["status"] = old["status"];
      else delete next["status"];
    }
    const meta = metaOf(next);
    meta["name"] = name;
    if (info.namespaced) meta["namespace"] = namespace;
    else delete meta["namespace"];
    const oldMeta = old ? metaOf(old) : undefined;
    for (const kept of ["uid", "creationTimestamp", "deletionTimestamp", "generation"])
      if (oldMeta?.[kept] !== undefined) meta[kept] = oldMeta[kept] as Json;
      else delete meta[kept];
    applyDefaults(info, next, { allocateClusterIp: () => this.allocateIp() });
    const causes = validate(info, next, old);
    if (causes.length > 0) throw invalid(info, name, causes);
    if (info.generation) {
      const before = typeof oldMeta?.["generation"] === "number" ? oldMeta["generation"] : 0;
      meta["generation"] = !old ? 1 : deepEqual(old["spec"], next["spec"]) ? before : before + 1;
    }
    if (old) {
      meta["resourceVersion"] = oldMeta?.["resourceVersion"] ?? null;
      if (deepEqual(old, next)) return { object: old, created: false };
    } else {
      meta["uid"] = randomUUID();
      meta["creationTimestamp"] = now();
    }
    if (options.dryRun) {
      meta["resourceVersion"] = old ? (oldMeta?.["resourceVersion"] ?? null) : null;
      if (!old) delete meta["resourceVersion"];
      return { object: next, created: !old };
    }
    meta["resourceVersion"] = String(++this.revision);
    const finalizers = Array.isArray(meta["finalizers"]) ? meta["finalizers"] : [];
    if (meta["deletionTimestamp"] && finalizers.length === 0 && info.kind !== "Namespace") {
      this.objects.delete(this.key(info, namespace, name));
      return { object: next, created: false };
    }
    this.objects.set(this.key(info, namespace, name), next);
    this.react(info, namespace, name, old, next);
    return { object: structuredClone(next), created: !old };
  }

  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    this.timers.add(timer);
  }

  /** Sets status as the controllers would (a write to /status). */
  private setStatus(info: KindInfo, namespace: string, name: string, status: JsonObject): void {
    const current = this.objects.get(this.key(info, namespace, name));
    if (!current || deepEqual(current["status"], status)) return;
    current["status"] = status;
    metaOf(current)["resourceVersion"] = String(++this.revision);
  }

  private react(
    info: KindInfo,
    namespace: string,
    name: string,
    old: JsonObject | undefined,
    next: JsonObject,
  ): void {
    if (info.kind === "CustomResourceDefinition" && !old) {
      const declared = kindFromCrd(next);
      if (declared && !this.info(declared.group, declared.plural)) this.kinds.push(declared);
      this.setStatus(info, namespace, name, {
        conditions: [
          {
            type: "Established",
            status: "True",
            reason: "InitialNamesAccepted",
            message: "the initial names have been accepted",
          },
        ],
      });
    }
    if (!isWorkload(info)) return;
    const generation = metaOf(next)["generation"];
    const status = isObject(next["status"]) ? next["status"] : {};
    if (old && status["observedGeneration"] === generation) return;
    const progress = (settled: boolean) => {
      const current = this.objects.get(this.key(info, namespace, name));
      if (!current || metaOf(current)["generation"] !== generation) return;
      const stuck = templateImages(current).some((image) => this.neverReady.has(image));
      this.setStatus(info, namespace, name, workloadStatus(info, current, { settled, stuck, now: now() }));
    };
    progress(false);
    this.later(this.readyDelayMs, () => progress(true));
  }

  /** DELETE with a propagation policy; answers the object while finalizers keep it, else a Status. */
  delete(
    info: KindInfo,
    namespace: string,
    name: string,
    options: { propagationPolicy?: string; dryRun: boolean; preconditions?: JsonObject },
  ): { object?: JsonObject } {
    const current = this.get(info, namespace, name);
    const meta = metaOf(current);
    const pre = options.preconditions ?? {};
    if (
      (pre["uid"] && pre["uid"] !== meta["uid"]) ||
      (pre["resourceVersion"] && pre["resourceVersion"] !== meta["resourceVersion"])
    )
      throw new ApiError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(info)} "${name}": the precondition was not met`,
        {
          name,
          kind: info.plural,
        },
      );
    if (options.dryRun) return { object: current };
    const key = this.key(info, namespace, name);
    const finalizers = Array.isArray(meta["finalizers"]) ? meta["finalizers"].map(String) : [];
    const policy = options.propagationPolicy ?? "Background";
    const gcFinalizer =
      policy === "Foreground" ? "foregroundDeletion" : policy === "Orphan" ? "orphan" : undefined;
    if (info.kind === "Namespace") return { object: this.terminateNamespace(info, name, current) };
    if (finalizers.length === 0 && !gcFinalizer) {
      this.objects.delete(key);
      this.afterDelete(info, current);
      return info.kind === "Service" ? { object: current } : {};
    }
    const stored = this.objects.get(key)!;
    const storedMeta = metaOf(stored);
    storedMeta["deletionTimestamp"] ??= now();
    storedMeta["deletionGracePeriodSeconds"] = 0;
    if (gcFinalizer && !finalizers.includes(gcFinalizer))
      storedMeta["finalizers"] = [...finalizers, gcFinalizer];
    storedMeta["resourceVersion"] = String(++this.revision);
    if (gcFinalizer)
      this.later(this.deleteDelayMs, () => {
        const again = this.objects.get(key);
        if (!again) return;
        const left =
          (metaOf(again)["finalizers"] as Json[] | undefined)?.filter((item) => item !== gcFinalizer) ?? [];
        if (left.length === 0) {
          this.objects.delete(key);
          this.afterDelete(info, again);
        } else {
          metaOf(again)["finalizers"] = left;
          metaOf(again)["resourceVersion"] = String(++this.revision);
        }
      });
    return { object: structuredClone(stored) };
  }

  private afterDelete(info: KindInfo, object: JsonObject): void {
    if (info.kind !== "CustomResourceDefinition") return;
    const declared = kindFromCrd(object);
    if (!declared) return;
    const index = this.kinds.findIndex(
      (kind) => kind.group === declared.group && kind.plural === declared.plural,
    );
    if (index < 0) return;
    for (const key of [...this.objects.keys()])
      if (key.startsWith(`${qualified(declared)}|`)) this.objects.delete(key);
    this.kinds.splice(index, 1);
  }

  /** Phase Terminating; the contents go after a while, then the namespace itself. */
  private terminateNamespace(info: KindInfo, name: string, current: JsonObject): JsonObject {
    const key = this.key(info, "", name);
    const stored = this.objects.get(key)!;
    if (!metaOf(stored)["deletionTimestamp"]) {
      metaOf(stored)["deletionTimestamp"] = now();
      stored["status"] = { phase: "Terminating" };
      metaOf(stored)["resourceVersion"] = String(++this.revision);
      this.later(this.deleteDelayMs, () => {
        for (const other of [...this.objects.keys()])
          if (other.split("|")[1] === name) this.objects.delete(other);
        this.later(this.deleteDelayMs, () => this.objects.delete(key));
      });
    }
    void current;
    return structuredClone(stored);
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
