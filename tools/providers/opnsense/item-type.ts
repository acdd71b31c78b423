import {
  type JsonSchema,
  type ListedResource,
  type PropertyMap,
  ProviderError,
  type ResourceTypeHandler,
  type ValidationIssue,
} from "../../protocol/index.ts";
import type { Collection, CollectionApi, Fields } from "./api.ts";
import type { OpnsenseClient } from "./client.ts";
import { type Lockout, withLockoutProbe } from "./lockout.ts";
import { type Marker, parseMarker, withMarker } from "./marker.ts";

export interface TypeContext {
  client: OpnsenseClient;
  api(collection: Collection): CollectionApi;
  lockout: Lockout;
}

/** What one resource type needs beyond the generic CRUD: its schema and the property ↔ field mapping. */
export interface ItemSpec {
  type: string;
  description: string;
  properties: JsonSchema;
  outputs: JsonSchema;
  collection: Collection;
  /** The text field that carries the ownership marker (a description). */
  markerField: string;
  replaceOnChange?: string[];
  secretProperties?: string[];
  /** Values the API fills in when a property is left out: reads omit them, plans drop them. */
  defaults?: PropertyMap;
  /** Canonical spelling (protocol case, interface names), applied to desired properties before diffing. */
  normalize?(properties: PropertyMap): PropertyMap;
  validate?(properties: PropertyMap, name: string, context: TypeContext): Omit<ValidationIssue, "resource">[];
  /** The API fields for add and set (all of them, so a set is a full write). */
  toFields(properties: PropertyMap, context: TypeContext, marker: Marker): Promise<Fields>;
  /** Properties from fields (the marker already stripped from `markerField`). */
  fromFields(
    fields: Fields,
    context: TypeContext,
    marker: Marker | undefined,
  ): Promise<PropertyMap> | PropertyMap;
  makeOutputs(id: string, fields: Fields, properties: PropertyMap): PropertyMap;
  /** API field → property name, for validation messages. */
  fieldNames?: Record<string, string>;
  /** Interface assignments answer add without an id: find it afterwards. */
  idAfterAdd?(fields: Fields, api: CollectionApi): Promise<string | undefined>;
  /** Owned sub-items (a backend's servers): made before, cleaned after. */
  afterWrite?(id: string, previous: Fields | undefined, context: TypeContext): Promise<void>;
  afterDelete?(id: string, previous: Fields, context: TypeContext): Promise<void>;
  /** Writes that reload pf (rules, aliases, NAT): probe the API afterwards. */
  reloadsFilter?: boolean;
  /** Rows to leave out of listings (a backend's own servers are part of the backend). */
  hidden?(fields: Fields, marker: Marker | undefined): boolean;
}

/** Drops properties equal to their defaults, after normalizing, so that reads and plans agree. */
export function canonical(spec: ItemSpec, properties: PropertyMap): PropertyMap {
  const normalized = spec.normalize ? spec.normalize(properties) : { ...properties };
  for (const [key, value] of Object.entries(spec.defaults ?? {}))
    if (JSON.stringify(normalized[key]) === JSON.stringify(value)) delete normalized[key];
  return normalized;
}

const ALLOW_LOCKOUT = "allowLockout";

function markerFor(deploymentId: string, name: string, properties: PropertyMap): Marker {
  return properties["allowLockout"] === true
    ? { deploymentId, name, part: ALLOW_LOCKOUT }
    : { deploymentId, name };
}

export interface BuiltType {
  spec: ItemSpec;
  handler: ResourceTypeHandler;
  /** Every item of this type, managed or not, as listResources shows it. */
  list(deploymentId?: string): Promise<ListedResource[]>;
  /** The raw fields of one item, for snapshots. */
  raw(id: string): Promise<Fields | undefined>;
  api: CollectionApi;
}

/** What the pieces of one built type share. */
interface Scope {
  spec: ItemSpec;
  context: TypeContext;
  api: CollectionApi;
  /** API field → property name, for validation messages. */
  names: (field: string) => string;
}

async function describe(
  { spec, context }: Scope,
  id: string,
  fields: Fields,
): Promise<{ properties: PropertyMap; outputs: PropertyMap; marker: Marker | undefined }> {
  const { text, marker } = parseMarker(fields[spec.markerField] ?? "");
  const read = await spec.fromFields({ ...fields, [spec.markerField]: text }, context, marker);
  // The override is the provider's own flag: it travels in the marker so that reads show it.
  if (marker?.part === ALLOW_LOCKOUT) read["allowLockout"] = true;
  const properties = canonical(spec, read);
  return { properties, outputs: spec.makeOutputs(id, fields, properties), marker };
}

/** One write and the module's apply under the firewall's lock; pf reloads get the lockout probe. */
function write<T>({ spec, context, api }: Scope, work: () => Promise<T>): Promise<T> {
  return context.client.serialize(async () => {
    if (!spec.reloadsFilter) {
      const result = await work();
      await api.apply();
      return result;
    }
    return withLockoutProbe(context.client, async () => {
      const result = await work();
      await api.apply();
      return result;
    });
  });
}

async function createItem(
  scope: Scope,
  properties: PropertyMap,
  { deploymentId, name }: { deploymentId: string; name: string },
) {
  const { spec, context, api, names } = scope;
  await api.requireRelease(spec.type);
  const marker = markerFor(deploymentId, name, properties);
  let fields: Fields = {};
  const id = await write(scope, async () => {
    fields = withMarker(await spec.toFields(properties, context, marker), spec.markerField, marker);
    const added = (await api.add(fields, names)) ?? (await spec.idAfterAdd?.(fields, api));
    if (!added) throw new ProviderError("INTERNAL", `${spec.type}: the API saved the item but named no id`);
    await spec.afterWrite?.(added, undefined, context);
    return added;
  });
  const stored = (await api.get(id)) ?? fields;
  return { id, outputs: (await describe(scope, id, stored)).outputs };
}

async function updateItem(
  scope: Scope,
  id: string,
  properties: PropertyMap,
  { deploymentId, name }: { deploymentId: string; name: string },
) {
  const { spec, context, api, names } = scope;
  await api.requireRelease(spec.type);
  const previous = await api.get(id);
  if (!previous) throw new ProviderError("NOT_FOUND", `${spec.type} ${id} no longer exists on the firewall`);
  const marker = markerFor(deploymentId, name, properties);
  let fields: Fields = {};
  await write(scope, async () => {
    fields = withMarker(await spec.toFields(properties, context, marker), spec.markerField, marker);
    await api.set(id, fields, names);
    await spec.afterWrite?.(id, previous, context);
  });
  const stored = (await api.get(id)) ?? fields;
  return (await describe(scope, id, stored)).outputs;
}

async function deleteItem(scope: Scope, id: string): Promise<void> {
  const { spec, context, api } = scope;
  await api.requireRelease(spec.type);
  const previous = await api.get(id);
  if (!previous) throw new ProviderError("NOT_FOUND", `${spec.type} ${id} does not exist`);
  await write(scope, async () => {
    if (!(await api.del(id))) throw new ProviderError("NOT_FOUND", `${spec.type} ${id} does not exist`);
    await spec.afterDelete?.(id, previous, context);
  });
}

async function listItems(scope: Scope, deploymentId?: string): Promise<ListedResource[]> {
  const { spec, api } = scope;
  try {
    await api.requireRelease(spec.type);
  } catch (error) {
    if (ProviderError.isInstance(error) && error.code === "UNSUPPORTED") return [];
    throw error;
  }
  const listed: ListedResource[] = [];
  for (const row of await api.search()) {
    const { uuid, ...fields } = row;
    const marker = parseMarker(fields[spec.markerField] ?? "").marker;
    if (spec.hidden?.(fields, marker)) continue;
    if (deploymentId !== undefined && marker?.deploymentId !== deploymentId) continue;
    const described = await describe(scope, uuid, fields);
    listed.push({
      id: uuid,
      type: spec.type,
      ...(marker ? { name: marker.name, deploymentId: marker.deploymentId } : {}),
      properties: described.properties,
      outputs: described.outputs,
      managed: marker !== undefined,
    });
  }
  return listed;
}

export function buildType(spec: ItemSpec, context: TypeContext): BuiltType {
  const api = context.api(spec.collection);
  const scope: Scope = { spec, context, api, names: (field) => spec.fieldNames?.[field] ?? field };
  const handler: ResourceTypeHandler = {
    type: spec.type,
    description: spec.description,
    properties: spec.properties,
    outputs: spec.outputs,
    replaceOnChange: spec.replaceOnChange ?? [],
    secretProperties: spec.secretProperties ?? [],
    validate: (properties, name) => spec.validate?.(properties, name, context) ?? [],
    create: (properties, handlerContext) => createItem(scope, properties, handlerContext),
    async read(id) {
      await api.requireRelease(spec.type);
      const fields = await api.get(id);
      if (!fields) return null;
      const { properties, outputs } = await describe(scope, id, fields);
      return { properties, outputs };
    },
    update: (id, properties, handlerContext) => updateItem(scope, id, properties, handlerContext),
    delete: (id) => deleteItem(scope, id),
  };
  return {
    spec,
    handler,
    api,
    raw: (id) => api.get(id),
    list: (deploymentId) => listItems(scope, deploymentId),
  };
}
