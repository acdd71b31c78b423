import { describe, expect, it } from "vitest";
import { LazySchemaValidator } from "./lazy-schema-validator.ts";

describe("LazySchemaValidator", () => {
  it("builds nothing until a schema is asked for, then validates as the SDK's Ajv validator does", () => {
    const validator = new LazySchemaValidator();
    expect(validator.built).toBe(false);
    const check = validator.getValidator<{ n: number }>({
      type: "object",
      properties: { n: { type: "number" }, at: { type: "string", format: "date-time" } },
      required: ["n"],
    });
    expect(validator.built).toBe(true);
    expect(check({ n: 1 }).valid).toBe(true);
    expect(check({ n: "one" }).valid).toBe(false);
    // The SDK's instance carries ajv-formats: a format is checked, not ignored.
    expect(check({ n: 1, at: "not a time" }).valid).toBe(false);
  });
});
