import { describe, expect, it } from "vitest";
import { describeValue, sampleProperties, summarizeOutputs, summarizeProperties } from "./schema-summary.ts";

describe("schema summaries", () => {
  it("describes values compactly", () => {
    expect(describeValue({ type: "string", enum: ["http", "tcp"] })).toBe('"http" | "tcp"');
    expect(describeValue({ type: "integer", minimum: 1, maximum: 65535 })).toBe("integer 1..65535");
    expect(describeValue({ type: "integer", minimum: 20 })).toBe("integer >= 20");
    expect(describeValue({ type: "array", items: { type: "string" }, minItems: 1 })).toBe(
      "list of string, items >= 1",
    );
    expect(describeValue({ anyOf: [{ type: "integer" }, { type: "string" }] })).toBe("integer or string");
    expect(describeValue({ type: ["string", "null"] })).toBe("string or null");
    expect(describeValue({ type: "object", additionalProperties: { type: "string" } })).toBe(
      "map of string to string",
    );
    expect(describeValue({ const: "v1" })).toBe('"v1"');
    expect(describeValue(undefined)).toBe("any");
  });

  it("shows one level of object fields with required marks", () => {
    const ingress = {
      type: "array",
      items: {
        type: "object",
        properties: {
          protocol: { type: "string" },
          port: { type: "integer" },
          nested: { type: "object", properties: { a: {} } },
        },
        required: ["port"],
      },
    };
    expect(describeValue(ingress)).toBe("list of { protocol: string, port*: integer, nested: object }");
  });

  it("summarizes properties with required, default, description and secret marks", () => {
    const lines = summarizeProperties(
      {
        type: "object",
        properties: {
          engine: { type: "string", enum: ["postgres"] },
          storage: { type: "integer", default: 20, description: " GiB " },
          password: { type: "string" },
        },
        required: ["engine"],
      },
      ["password"],
    );
    expect(lines).toEqual([
      'engine*: "postgres"',
      "storage: integer default 20 (GiB)",
      "password: string [secret: never copy or invent a value]",
    ]);
  });

  it("accepts a bare name-to-schema map", () => {
    expect(summarizeProperties({ tag: { type: "integer" }, type: { type: "string" } })).toEqual([
      "tag: integer",
      "type: string",
    ]);
  });

  it("lists outputs and the first example", () => {
    expect(summarizeOutputs({ type: "object", properties: { id: {}, ip: {} } })).toBe("id, ip");
    expect(summarizeOutputs({})).toBe("(none listed)");
    expect(sampleProperties({ examples: [{ a: 1 }, { a: 2 }] })).toEqual(['{"a":1}']);
    expect(sampleProperties({})).toEqual([]);
  });
});
