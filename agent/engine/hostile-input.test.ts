import { describe, expect, it } from "vitest";
import type { ResourceTypeInfo } from "../../tools/protocol/index.ts";
import { buildGraph } from "./graph.ts";
import { readPath } from "./references.ts";
import { deploymentFromObject, parseSpec } from "./spec.ts";
import { SpecError } from "./spec-error.ts";

function specError(work: () => unknown): SpecError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    expect((error as Error).message).not.toMatch(/\n\s+at /);
    return error as SpecError;
  }
  throw new Error("expected a SpecError");
}

const VPC: ResourceTypeInfo = {
  type: "aws:vpc:vpc",
  description: "a vpc",
  properties: { type: "object", properties: { cidrBlock: { type: "string" } } },
  outputs: { type: "object", properties: { id: { type: "string" } } },
  replaceOnChange: [],
  secretProperties: [],
};

describe("hostile specs get a clear error, never a stack", () => {
  it("refuses 100,000-deep nesting at once, in flow YAML and in JSON", () => {
    const yaml = `name: x\nresources: [${"[".repeat(100_000)}${"]".repeat(100_000)}]\n`;
    expect(specError(() => parseSpec(yaml, "deep.yaml")).message).toMatch(/nested more than 256 levels/);
    const json = `{"name":"x","resources":[{"type":"a:b:c","name":"n","properties":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}]}`;
    expect(specError(() => parseSpec(json, "deep.json")).message).toMatch(/nested more than 256 levels/);
  });

  it("refuses a recursive YAML alias", () => {
    specError(() => parseSpec("name: x\nresources: &r\n  - *r\n", "alias.yaml"));
  });

  it("echoes a 5 MB name cut short", () => {
    const huge = "n".repeat(5_000_000);
    const error = specError(() =>
      deploymentFromObject(
        {
          name: "x",
          resources: [
            { type: "a:b:c", name: "a", properties: {} },
            { type: "a:b:c", name: "a", properties: { ref: `\${${huge}.id}` } },
          ],
        },
        huge,
      ),
    );
    expect(error.message.length).toBeLessThan(2_000);
    expect(error.message).toContain("(5000000 characters)");
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "treats ${vpc.%s} as an unknown output, not a JavaScript built-in",
    (key) => {
      const deployment = deploymentFromObject(
        {
          name: "x",
          resources: [
            { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.0.0.0/16" } },
            { type: "aws:vpc:vpc", name: "b", properties: { cidrBlock: `\${vpc.${key}}` } },
          ],
        },
        "spec.yaml",
      );
      const error = specError(() => buildGraph(deployment, { typeInfo: () => VPC }));
      expect(error.message).toContain(`has no output or property "${key}"`);
      expect(readPath({ id: "x" }, [key])).toBeUndefined();
    },
  );
});
