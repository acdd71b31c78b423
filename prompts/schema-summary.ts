/**
 * Turns a resource type's JSON Schemas into the short lines the planner's context shows: one line per
 * property with its type, required mark, enum or range and description. Full JSON Schema would cost
 * several times the tokens and models read this form at least as well.
 */

type Schema = Record<string, unknown>;

function isRecord(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A type's `properties` is a whole object schema; a bare name → schema map is accepted too. */
function objectParts(schema: Schema): { properties: Schema; required: string[] } {
  if (schema["type"] === "object" && isRecord(schema["properties"])) {
    const required = Array.isArray(schema["required"])
      ? schema["required"].filter((key): key is string => typeof key === "string")
      : [];
    return { properties: schema["properties"], required };
  }
  if (schema["type"] === "object") return { properties: {}, required: [] };
  return { properties: schema, required: [] };
}

function literal(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function range(schema: Schema, low: string, high: string): string {
  const min = schema[low];
  const max = schema[high];
  if (typeof min === "number" && typeof max === "number") return ` ${min}..${max}`;
  if (typeof min === "number") return ` >= ${min}`;
  if (typeof max === "number") return ` <= ${max}`;
  return "";
}

/** The shape of one value, e.g. `integer 1..4094`, `"http" | "tcp"`, `list of string`. */
export function describeValue(schema: unknown, depth = 0): string {
  if (!isRecord(schema)) return "any";
  if (Array.isArray(schema["enum"])) return schema["enum"].map(literal).join(" | ");
  if ("const" in schema) return literal(schema["const"]);
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return options.map((option) => describeValue(option, depth)).join(" or ");
  }
  const type = schema["type"];
  if (Array.isArray(type))
    return type.map((one) => describeValue({ ...schema, type: one }, depth)).join(" or ");
  switch (type) {
    case "integer":
    case "number":
      return `${type}${range(schema, "minimum", "maximum")}`;
    case "string":
      return `string${schema["format"] ? ` (${String(schema["format"])})` : ""}`;
    case "array":
      return `list of ${describeValue(schema["items"], depth)}${range(schema, "minItems", "maxItems").replace(/^ /, ", items ")}`;
    case "object": {
      const { properties, required } = objectParts(schema);
      const names = Object.keys(properties);
      if (names.length === 0) {
        return isRecord(schema["additionalProperties"])
          ? `map of string to ${describeValue(schema["additionalProperties"], depth)}`
          : "object";
      }
      if (depth > 0) return "object";
      const fields = names.map(
        (name) =>
          `${name}${required.includes(name) ? "*" : ""}: ${describeValue(properties[name], depth + 1)}`,
      );
      return `{ ${fields.join(", ")} }`;
    }
    case undefined:
      return "any";
    default:
      return String(type);
  }
}

/**
 * `tag*: integer 1..4094 (VLAN id, unique per parent)`, one per property; `*` marks required, and
 * secret properties say so, so the model neither copies nor invents their values.
 */
export function summarizeProperties(schema: Schema, secretProperties: readonly string[] = []): string[] {
  const { properties, required } = objectParts(schema);
  return Object.entries(properties).map(([name, property]) => {
    const parts = [`${name}${required.includes(name) ? "*" : ""}: ${describeValue(property)}`];
    if (isRecord(property)) {
      if ("default" in property) parts.push(`default ${literal(property["default"])}`);
      if (typeof property["description"] === "string" && property["description"].trim() !== "") {
        parts.push(`(${property["description"].trim()})`);
      }
    }
    if (secretProperties.includes(name)) parts.push("[secret: never copy or invent a value]");
    return parts.join(" ");
  });
}

/** Output names, e.g. `id, device`; these are what `${name.output}` can point at. */
export function summarizeOutputs(schema: Schema): string {
  return Object.keys(objectParts(schema).properties).join(", ") || "(none listed)";
}

/** The first `examples` entry of a properties schema, as one line of JSON. */
export function sampleProperties(schema: Schema): string[] {
  const examples = schema["examples"];
  if (!Array.isArray(examples) || examples.length === 0) return [];
  return [JSON.stringify(examples[0])];
}
