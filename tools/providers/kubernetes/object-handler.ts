import {
  type CreatedResource,
  containsUnknown,
  type DiffEntry,
  diffProperties,
  type HandlerContext,
  isSecretDigest,
  type JsonSchema,
  type PlannedUpdate,
  type PropertyMap,
  ProviderError,
  type ReadResource,
  type ResourceTypeHandler,
  secretDigest,
  type ValidationIssue,
} from "../../protocol/index.ts";
import {
  idOf,
  type Marks,
  marksOf,
  objectNameFor,
  type ResourceOptions,
  refFromId,
  splitOptions,
  stamp,
  validObjectName,
} from "./identity.ts";
import {
  describeRef,
  FIELD_MANAGER,
  type KubeClient,
  type KubeObject,
  type ObjectRef,
  refOf,
} from "./kube-client.ts";
import { leafDiff, ownedTree, project, valueAtPath } from "./owned-fields.ts";
import { waitForRollout, waitsForRollout, waitUntilGone } from "./waits.ts";

/** How one resource type maps onto manifests of one kind. */
export interface Mapping {
  type: string;
  description: string;
  properties: JsonSchema;
  outputs: JsonSchema;
  replaceOnChange?: string[];
  secretProperties?: string[];
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** The manifest for properties (options removed); name and namespace may be left for the handler to fill. */
  toManifest(properties: PropertyMap, objectName: string): KubeObject;
  /** Properties as written, from the fields someone set (`owned`); identity shown unless implicit. */
  fromLive(owned: Record<string, unknown>, live: KubeObject, marks: Marks): PropertyMap;
  /** Outputs beyond id, name and namespace. */
  extraOutputs?(live: KubeObject): PropertyMap;
  validate?(properties: PropertyMap, name: string): Omit<ValidationIssue, "resource">[];
}

export interface HandlerSettings {
  /** Readiness and deletion wait, unless a resource's timeoutSeconds says otherwise. */
  timeoutMs: number;
  pollMs: number;
}

/** The parts of an object a plan compares: not bookkeeping the server rewrites on every write, not status. */
function comparable(object: KubeObject): Record<string, unknown> {
  const { status: _status, metadata, ...rest } = object;
  const {
    managedFields: _m,
    resourceVersion: _r,
    generation: _g,
    creationTimestamp: _c,
    uid: _u,
    ...meta
  } = metadata;
  return { ...rest, metadata: meta };
}

export interface ObjectTypeHandler extends ResourceTypeHandler {
  /** Properties and outputs of a live object (listing reads many at once). */
  describeLive(live: KubeObject): ReadResource;
  mapping: Mapping;
}

/** What every piece of one type's handler shares: its mapping, how to reach the cluster, its waits. */
interface Scope {
  mapping: Mapping;
  connect: () => Promise<KubeClient>;
  settings: HandlerSettings;
  kind: { apiVersion: string; kind: string; namespaced: boolean };
  secret: Set<string>;
}

function refOrNotFound(scope: Scope, id: string): ObjectRef {
  const ref = refFromId(id, scope.kind);
  if (!ref)
    throw new ProviderError(
      "NOT_FOUND",
      `${scope.mapping.type} ${id} does not exist: ids are ${scope.mapping.namespaced ? "namespace/name" : "name"}`,
    );
  return ref;
}

function desiredObject(
  scope: Scope,
  properties: PropertyMap,
  context: HandlerContext,
  defaultNamespace: string,
) {
  const { mapping } = scope;
  for (const key of scope.secret)
    if (isSecretDigest(properties[key]))
      throw new ProviderError(
        "VALIDATION_FAILED",
        `${context.name}: ${key} is known only as a digest (from state or a snapshot) and cannot be applied; give its values in the spec again`,
      );
  const { options, rest } = splitOptions(properties);
  const manifest = mapping.toManifest(rest, objectNameFor(context.name));
  const implicit: string[] = [];
  if (!manifest.metadata.name) {
    manifest.metadata.name = objectNameFor(context.name);
    implicit.push("name");
  }
  if (mapping.namespaced && !manifest.metadata.namespace) {
    manifest.metadata.namespace = defaultNamespace;
    implicit.push("namespace");
  }
  if (!mapping.namespaced) delete manifest.metadata.namespace;
  stamp(manifest, {
    deploymentId: context.deploymentId,
    name: context.name,
    type: mapping.type,
    implicit,
    options,
  });
  return { manifest, options, id: idOf(manifest.metadata, mapping.namespaced) };
}

function propertiesOf(mapping: Mapping, live: KubeObject): PropertyMap {
  const marks = marksOf(live);
  const owned = project(live, ownedTree(live)) as Record<string, unknown>;
  return { ...mapping.fromLive(owned, live, marks), ...marks.options };
}

function outputsOf(mapping: Mapping, live: KubeObject): PropertyMap {
  return {
    id: idOf(live.metadata, mapping.namespaced),
    name: live.metadata.name,
    ...(mapping.namespaced ? { namespace: live.metadata.namespace } : {}),
    ...mapping.extraOutputs?.(live),
  };
}

function waitSettings(settings: HandlerSettings, options: ResourceOptions, context?: HandlerContext) {
  return {
    timeoutMs: options.timeoutSeconds ? options.timeoutSeconds * 1000 : settings.timeoutMs,
    pollMs: settings.pollMs,
    progress: context?.progress,
  };
}

async function applyAndWait(
  scope: Scope,
  properties: PropertyMap,
  context: HandlerContext,
): Promise<CreatedResource> {
  const { mapping } = scope;
  const client = await scope.connect();
  const { manifest, options, id } = desiredObject(scope, properties, context, client.defaultNamespace);
  const ref = refOf(manifest);
  if (!waitsForRollout(mapping.apiVersion, mapping.kind)) {
    return {
      id,
      outputs: outputsOf(mapping, await client.apply(manifest, { force: options.forceConflicts === true })),
    };
  }
  const previous = await client.read(ref);
  const applied = await client.apply(manifest, { force: options.forceConflicts === true });
  context.progress?.(`waiting for ${describeRef(ref)} to roll out`);
  try {
    await waitForRollout(client, ref, waitSettings(scope.settings, options, context));
  } catch (error) {
    if (!ProviderError.isInstance(error) || !["TIMEOUT", "DEPENDENCY_FAILED"].includes(error.code))
      throw error;
    const undone = await undoRollout(scope, ref, previous, options, context);
    throw new ProviderError(error.code, `${error.message}; ${undone}`, {
      retryable: false,
      details: error.details,
    });
  }
  const settled = await client.read(ref);
  return { id, outputs: outputsOf(mapping, settled ?? applied) };
}

/**
 * A rollout that never became available is undone, as `helm --atomic` or `kubectl rollout undo`
 * would: the fields we applied before go back (a new workload is deleted), so the failed change
 * leaves the cluster as it found it.
 */
async function undoRollout(
  scope: Scope,
  ref: ObjectRef,
  previous: KubeObject | null,
  options: ResourceOptions,
  context: HandlerContext,
): Promise<string> {
  const client = await scope.connect();
  const waits = waitSettings(scope.settings, options, context);
  try {
    if (!previous) {
      context.progress?.(`deleting ${describeRef(ref)}, which never became available`);
      if (await client.delete(ref, "Foreground")) await waitUntilGone(client, ref, waits);
      return "the new object was deleted again";
    }
    const ours = project(previous, ownedTree(previous, FIELD_MANAGER)) as Record<string, unknown>;
    const restore = {
      ...ours,
      apiVersion: previous.apiVersion,
      kind: previous.kind,
      metadata: {
        ...(ours["metadata"] as object),
        name: ref.name,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
      },
    } as KubeObject;
    context.progress?.(`restoring the previous spec of ${describeRef(ref)}`);
    await client.apply(restore, { force: true });
    await waitForRollout(client, ref, waits);
    return "the previous spec was restored and is available";
  } catch (error) {
    return `undoing it failed too (${error instanceof Error ? error.message : String(error)})`;
  }
}

function maskSecrets(secret: Set<string>, diff: DiffEntry[]): DiffEntry[] {
  return diff.map((entry) => {
    const top = entry.path.split(/[.[]/)[0] ?? "";
    if (!secret.has(top)) return entry;
    const masked: DiffEntry = { path: entry.path, forcesReplacement: entry.forcesReplacement };
    if (entry.before !== undefined) masked.before = secretDigest(entry.before);
    if (entry.after !== undefined) masked.after = secretDigest(entry.after);
    return masked;
  });
}

async function plan(
  scope: Scope,
  id: string,
  desired: PropertyMap,
  context: HandlerContext,
): Promise<PlannedUpdate | null> {
  const { mapping } = scope;
  const client = await scope.connect();
  const live = await client.read(refOrNotFound(scope, id));
  if (!live) return null;
  const before = propertiesOf(mapping, live);
  const outputs = outputsOf(mapping, live);
  // A value still unknown cannot go to the server; compare properties until it is known.
  if (containsUnknown(desired))
    return { before, outputs, diff: diffProperties(before, desired, mapping.replaceOnChange) };
  const { manifest, options, id: wantedId } = desiredObject(scope, desired, context, client.defaultNamespace);
  if (wantedId !== id)
    return {
      before,
      outputs,
      diff: [
        {
          path: mapping.namespaced ? "metadata.namespace/name" : "metadata.name",
          before: id,
          after: wantedId,
          forcesReplacement: true,
        },
      ],
    };
  let dry: KubeObject;
  try {
    dry = await client.apply(manifest, { dryRun: true, force: options.forceConflicts === true });
  } catch (error) {
    const immutable = immutableCauses(error);
    if (immutable.length === 0) throw error;
    const diff = immutable.map((field) => ({
      path: field,
      before: valueAtPath(live, field),
      after: valueAtPath(manifest, field),
      forcesReplacement: true,
    }));
    return { before, outputs, diff: maskSecrets(scope.secret, diff) };
  }
  return { before, outputs, diff: maskSecrets(scope.secret, leafDiff(comparable(live), comparable(dry))) };
}

function validate(
  mapping: Mapping,
  properties: PropertyMap,
  name: string,
): Omit<ValidationIssue, "resource">[] {
  const issues = mapping.validate?.(properties, name) ?? [];
  const objectName = objectNameFor(name);
  if (!validObjectName(objectName))
    issues.push({
      path: "name",
      message: `${name} cannot name a Kubernetes object (${objectName} is not a lowercase RFC 1123 name); rename the resource or set the object's name`,
      severity: "error",
    });
  return issues;
}

async function deleteObject(scope: Scope, id: string, context?: HandlerContext): Promise<void> {
  const ref = refOrNotFound(scope, id);
  const client = await scope.connect();
  const live = await client.read(ref);
  if (!live) throw new ProviderError("NOT_FOUND", `${describeRef(ref)} does not exist`);
  // Foreground by default: dependents (ReplicaSets, Pods) go first, and the object stays readable until then.
  const options = marksOf(live).options;
  if (!(await client.delete(ref, options.propagationPolicy ?? "Foreground"))) return;
  context?.progress?.(`deleting ${describeRef(ref)}`);
  await waitUntilGone(client, ref, waitSettings(scope.settings, options, context));
}

/** A ResourceTypeHandler applying manifests with server-side apply, planning by server-side dry run. */
export function objectHandler(
  mapping: Mapping,
  connect: () => Promise<KubeClient>,
  settings: HandlerSettings,
): ObjectTypeHandler {
  const kind = { apiVersion: mapping.apiVersion, kind: mapping.kind, namespaced: mapping.namespaced };
  const scope: Scope = { mapping, connect, settings, kind, secret: new Set(mapping.secretProperties ?? []) };
  const describeLive = (live: KubeObject) => ({
    properties: propertiesOf(mapping, live),
    outputs: outputsOf(mapping, live),
  });
  return {
    mapping,
    describeLive,
    type: mapping.type,
    description: mapping.description,
    properties: mapping.properties,
    outputs: mapping.outputs,
    ...(mapping.replaceOnChange ? { replaceOnChange: mapping.replaceOnChange } : {}),
    ...(mapping.secretProperties ? { secretProperties: mapping.secretProperties } : {}),
    validate: (properties, name) => validate(mapping, properties, name),
    create: (properties, context) => applyAndWait(scope, properties, context),
    async read(id: string) {
      const ref = refFromId(id, kind);
      const live = ref ? await (await connect()).read(ref) : null;
      return live ? describeLive(live) : null;
    },
    async update(_id, properties, context) {
      return (await applyAndWait(scope, properties, context)).outputs;
    },
    delete: (id, context) => deleteObject(scope, id, context),
    plan: (id, desired, _current, context) => plan(scope, id, desired, context),
  };
}

/** The fields a 422 says may not change (a Service's clusterIP, a Deployment's selector). */
function immutableCauses(error: unknown): string[] {
  if (!ProviderError.isInstance(error) || error.code !== "VALIDATION_FAILED") return [];
  const causes =
    (error.details as { causes?: { field: string; message: string }[] } | undefined)?.causes ?? [];
  return causes
    .filter((cause) => /field is immutable|may not change once set/.test(cause.message))
    .map((cause) => cause.field);
}
