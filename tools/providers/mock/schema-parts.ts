import { isUnknown, type PropertyMap } from "../../protocol/index.ts";

// The schema pieces are the catalog's (tools/protocol/catalog/parts.ts): one copy for mock and real.
export {
  enumOf,
  ipv4,
  ipv4Cidr,
  nonEmpty,
  outputsSchema,
  port,
  portSpec,
  propertiesSchema,
  stringList,
  stringMap,
  text,
} from "../../protocol/catalog/parts.ts";

/** A value that is present and fully known (not `{ $unknown }` anywhere inside). */
export function known(value: unknown): boolean {
  if (value === undefined || isUnknown(value)) return false;
  if (Array.isArray(value)) return value.every(known);
  if (typeof value === "object" && value !== null) return Object.values(value).every(known);
  return true;
}

export function str(properties: PropertyMap, key: string): string | undefined {
  const value = properties[key];
  return typeof value === "string" ? value : undefined;
}

export function num(properties: PropertyMap, key: string): number | undefined {
  const value = properties[key];
  return typeof value === "number" ? value : undefined;
}
