import type { PropertyMap } from "../../protocol/index.ts";

/** The tags every resource we create carries (design §5), so discovery can tell ours from the rest. */
export const TAG_MANAGED_BY = "managed-by";
export const MANAGED_BY = "mcp-iac";
export const TAG_DEPLOYMENT = "mcp-iac:deployment";
export const TAG_NAME = "mcp-iac:name";
const OURS = new Set([TAG_MANAGED_BY, TAG_DEPLOYMENT, TAG_NAME]);

/** How a CloudFormation type spells Tags: a `[{Key, Value}]` list (most), a map (SSM), or none. */
export type TagFormat = "list" | "map" | "none";

export type TagMap = Record<string, string>;

export function ownTags(deploymentId: string, name: string): TagMap {
  return { [TAG_MANAGED_BY]: MANAGED_BY, [TAG_DEPLOYMENT]: deploymentId, [TAG_NAME]: name };
}

/** A model's tags as a map, whichever way the type spells them. */
export function readTags(value: unknown): TagMap {
  if (Array.isArray(value)) {
    const out: TagMap = {};
    for (const item of value) {
      const { Key, Value } = (item ?? {}) as { Key?: unknown; Value?: unknown };
      if (typeof Key === "string") out[Key] = String(Value ?? "");
    }
    return out;
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, String(v)]),
    );
  }
  return {};
}

/** A tag map in the type's spelling, sorted by key so that equal sets compare equal. */
export function writeTags(tags: TagMap, format: TagFormat): unknown {
  const keys = Object.keys(tags).sort();
  if (format === "map") return Object.fromEntries(keys.map((key) => [key, tags[key]]));
  return keys.map((key) => ({ Key: key, Value: tags[key] }));
}

/** The user's own tags, ours left out. */
export function userTags(tags: TagMap): TagMap {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !OURS.has(key)));
}

export function identity(tags: TagMap): { managed: boolean; name?: string; deploymentId?: string } {
  const out: { managed: boolean; name?: string; deploymentId?: string } = {
    managed: tags[TAG_MANAGED_BY] === MANAGED_BY,
  };
  if (tags[TAG_NAME]) out.name = tags[TAG_NAME];
  if (tags[TAG_DEPLOYMENT]) out.deploymentId = tags[TAG_DEPLOYMENT];
  return out;
}

/** The user's tags given as CloudFormation's list or map, as a map. */
export function tagsFromProperty(value: unknown): TagMap {
  return readTags(value);
}

export function hasKeys(map: PropertyMap | TagMap): boolean {
  return Object.keys(map).length > 0;
}
