import type { PropertyMap } from "../schemas.ts";
import type { JsonSchema } from "../type-handler.ts";

/** Schema pieces the catalog's types share. */

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = `(${OCTET}\\.){3}${OCTET}`;

export const ipv4: JsonSchema = { type: "string", pattern: `^${IPV4}$`, description: "an IPv4 address" };
export const ipv4Cidr: JsonSchema = {
  type: "string",
  pattern: `^${IPV4}/(3[0-2]|[12]?\\d)$`,
  description: "an IPv4 network in CIDR notation, e.g. 10.0.1.0/24",
};
export const port: JsonSchema = { type: "integer", minimum: 1, maximum: 65535 };
/** A port, a range `8000-8080`, or an alias / service name. */
export const portSpec: JsonSchema = {
  anyOf: [port, { type: "string", pattern: "^(\\d{1,5}(-\\d{1,5})?|[A-Za-z_][A-Za-z0-9_]*)$" }],
};
export const text: JsonSchema = { type: "string" };
export const nonEmpty: JsonSchema = { type: "string", minLength: 1 };
export const stringList: JsonSchema = { type: "array", items: { type: "string", minLength: 1 } };
export const stringMap: JsonSchema = { type: "object", additionalProperties: { type: "string" } };
export const enumOf = (...values: string[]): JsonSchema => ({ type: "string", enum: values });

/** A closed property schema: unknown property names are errors, which catches typos early. */
export function propertiesSchema(
  properties: Record<string, JsonSchema>,
  required: string[],
  examples: [PropertyMap, PropertyMap, ...PropertyMap[]],
): JsonSchema {
  return { type: "object", properties, required, additionalProperties: false, examples };
}

export function outputsSchema(
  properties: Record<string, JsonSchema> = {},
  required: string[] = ["id"],
): JsonSchema {
  return { type: "object", properties: { id: { type: "string" }, ...properties }, required };
}
