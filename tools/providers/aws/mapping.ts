import { createHash } from "node:crypto";
import {
  type DiffEntry,
  deepEqual,
  diffProperties,
  type HandlerContext,
  type JsonSchema,
  type PropertyMap,
  ProviderError,
  type ResourceTypeHandler,
  type ValidationIssue,
} from "../../protocol/index.ts";
import type { CloudControl, OperationContext } from "./cloud-control.ts";
import { hasKeys, ownTags, readTags, type TagFormat, type TagMap, userTags, writeTags } from "./tags.ts";

export type AwsContext = HandlerContext;

/** How one iac.mcp/v1 type maps onto one CloudFormation type through Cloud Control. */
export interface Mapping {
  type: string;
  cfnType: string;
  description: string;
  properties: JsonSchema;
  outputs: JsonSchema;
  /** Property names (ours) whose change needs a new resource: the type's createOnlyProperties. */
  replaceOnChange?: string[];
  secretProperties?: string[];
  stateful?: boolean;
  tagFormat: TagFormat;
  /** Our property holding the user's tags: `tags` (a map) in the catalog, `Tags` for CloudFormation names. */
  tagsProperty: string;
  /** Our write-only properties and their CloudFormation names: never read back, sent as JSON Patch `add`. */
  writeOnly?: Record<string, string>;
  /** CloudFormation keys this mapping owns (an absent one is removed on update); undefined: those in play. */
  ownedKeys?: string[];
  toCfn(properties: PropertyMap): PropertyMap;
  fromCfn(model: PropertyMap, id: string): { properties: PropertyMap; outputs: PropertyMap };
  validate?(properties: PropertyMap, name: string): Omit<ValidationIssue, "resource">[];
  estimateMonthlyCost?(properties: PropertyMap): number | undefined;
}

function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);
}

export function operationContext(
  mapping: { cfnType: string },
  context: AwsContext | undefined,
  action: string,
  fallback: unknown,
): OperationContext {
  const label = `${mapping.cfnType} ${context?.name ?? ""} (${action})`.replace("  ", " ");
  // Without an operationId the token is derived from the change itself, so a re-run of it replays.
  const seed =
    context?.operationId ?? `${context?.deploymentId ?? ""}|${context?.name ?? ""}|${digest(fallback)}`;
  const progress = context?.progress ? (message: string) => context.progress?.(message) : undefined;
  return { label, tokenSeed: `${seed}|${action}`, progress };
}

/** The desired CloudFormation model: mapped properties plus the user's tags and ours. */
export function desiredModel(
  mapping: Mapping,
  properties: PropertyMap,
  context: HandlerContext,
): PropertyMap {
  const model = mapping.toCfn(properties);
  if (mapping.tagFormat !== "none") {
    const tags: TagMap = {
      ...userTags(readTags(properties[mapping.tagsProperty])),
      ...ownTags(context.deploymentId, context.name),
    };
    model["Tags"] = writeTags(tags, mapping.tagFormat);
  }
  return model;
}

/** Our view of a model: properties (user tags included, ours left out) and outputs. */
export function viewOf(
  mapping: Mapping,
  model: PropertyMap,
  id: string,
): { properties: PropertyMap; outputs: PropertyMap } {
  const { properties, outputs } = mapping.fromCfn(model, id);
  const mine = userTags(readTags(model["Tags"]));
  delete properties["Tags"];
  if (hasKeys(mine))
    properties[mapping.tagsProperty] =
      mapping.tagsProperty === "Tags" ? writeTags(mine, mapping.tagFormat) : mine;
  return { properties, outputs };
}

function pointer(key: string): string {
  return `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/**
 * The RFC 6902 patch from the live model to the desired one over the keys in play. Write-only keys
 * are never read back, so they are sent (as `add`) only when the change itself touches them.
 */
export function buildPatch(
  mapping: Mapping,
  live: PropertyMap,
  desired: PropertyMap,
  diff: DiffEntry[],
): unknown[] {
  const writeOnly = new Map(Object.entries(mapping.writeOnly ?? {}).map(([ours, cfn]) => [cfn, ours]));
  const removed = diff.filter((entry) => entry.after === undefined).map((entry) => entry.path);
  const keys = new Set([
    ...(mapping.ownedKeys ?? [...Object.keys(desired), ...removed]),
    ...Object.keys(desired),
  ]);
  if (mapping.tagFormat !== "none") keys.add("Tags");
  const patch: unknown[] = [];
  for (const key of keys) {
    const want = desired[key];
    const ours = writeOnly.get(key);
    if (ours !== undefined) {
      if (want !== undefined && diff.some((entry) => entry.path === ours))
        patch.push({ op: "add", path: pointer(key), value: want });
      continue;
    }
    const have = live[key];
    if (want === undefined) {
      if (have !== undefined) patch.push({ op: "remove", path: pointer(key) });
    } else if (!deepEqual(want, have)) {
      patch.push({ op: have === undefined ? "add" : "replace", path: pointer(key), value: want });
    }
  }
  return patch;
}

/** Plans against the live model: only keys the spec or the state name, write-only values from state. */
export function planAgainstLive(
  mapping: Mapping,
  live: { properties: PropertyMap; outputs: PropertyMap },
  desired: PropertyMap,
  recorded: PropertyMap,
  replaceOnChange: string[],
) {
  const before: PropertyMap = {};
  for (const key of new Set([...Object.keys(desired), ...Object.keys(recorded)])) {
    if (live.properties[key] !== undefined) before[key] = live.properties[key];
  }
  for (const key of Object.keys(mapping.writeOnly ?? {})) {
    if (recorded[key] !== undefined) before[key] = recorded[key];
  }
  return { before, outputs: live.outputs, diff: diffProperties(before, desired, replaceOnChange) };
}

/** A type handler over Cloud Control from a mapping. */
/** A handler over Cloud Control; `fromList` turns a ListResources model into our view without another read. */
export type AwsHandler = ResourceTypeHandler & {
  cfnType: string;
  fromList?(id: string, model: PropertyMap): { properties: PropertyMap; outputs: PropertyMap };
};

export function mappedType(cc: CloudControl, mapping: Mapping): AwsHandler {
  const replaceOnChange = [...(mapping.replaceOnChange ?? [])];
  const read = async (id: string) => {
    const model = await cc.get(mapping.cfnType, id);
    return model ? viewOf(mapping, model, id) : null;
  };
  const handler: AwsHandler = {
    type: mapping.type,
    cfnType: mapping.cfnType,
    fromList: (id, model) => viewOf(mapping, model, id),
    description: mapping.description,
    properties: mapping.properties,
    outputs: mapping.outputs,
    replaceOnChange,
    ...(mapping.secretProperties ? { secretProperties: mapping.secretProperties } : {}),
    ...(mapping.stateful ? { stateful: true } : {}),
    ...(mapping.validate ? { validate: mapping.validate } : {}),
    ...(mapping.estimateMonthlyCost ? { estimateMonthlyCost: mapping.estimateMonthlyCost } : {}),
    async create(properties, context: AwsContext) {
      const desired = desiredModel(mapping, properties, context);
      const created = await cc.create(
        mapping.cfnType,
        desired,
        operationContext(mapping, context, "create", desired),
      );
      return { id: created.id, outputs: viewOf(mapping, created.model, created.id).outputs };
    },
    read,
    async update(id, properties, context: AwsContext & { diff: DiffEntry[] }) {
      const live = await cc.get(mapping.cfnType, id);
      if (!live) throw new ProviderError("NOT_FOUND", `${mapping.type} ${id} does not exist`);
      const desired = desiredModel(mapping, properties, context);
      const patch = buildPatch(mapping, live, desired, context.diff);
      if (patch.length === 0) return viewOf(mapping, live, id).outputs;
      try {
        const model = await cc.update(
          mapping.cfnType,
          id,
          patch,
          operationContext(mapping, context, "update", patch),
        );
        return viewOf(mapping, model, id).outputs;
      } catch (error) {
        throw notUpdatable(error, mapping, replaceOnChange, context.diff);
      }
    },
    async delete(id, context) {
      await cc.delete(mapping.cfnType, id, operationContext(mapping, context, "delete", id));
    },
    async plan(id, desired, current) {
      const live = await read(id);
      return live ? planAgainstLive(mapping, live, desired, current.properties, replaceOnChange) : null;
    },
  };
  return handler;
}

/**
 * NotUpdatable means the plan should have been a replace: say so, and remember the properties so the
 * next plan of this type replaces (for types whose create-only list we could not know beforehand).
 */
function notUpdatable(
  error: unknown,
  mapping: Mapping,
  replaceOnChange: string[],
  diff: DiffEntry[],
): unknown {
  const exception = (error as ProviderError)?.details as
    | { exception?: string; errorCode?: string }
    | undefined;
  if (exception?.exception !== "NotUpdatableException" && exception?.errorCode !== "NotUpdatable")
    return error;
  const named = /\/properties\/([A-Za-z0-9]+)/.exec((error as Error).message)?.[1];
  const learned =
    named && diff.some((entry) => entry.path === named) ? [named] : diff.map((entry) => entry.path);
  for (const key of learned) if (!replaceOnChange.includes(key)) replaceOnChange.push(key);
  return new ProviderError(
    "VALIDATION_FAILED",
    `${mapping.type}: ${learned.join(", ")} cannot change in place (${(error as Error).message}); plan again and it becomes a replace`,
    { details: { notUpdatable: learned }, retryable: false },
  );
}
