import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ValidationIssue } from "../../protocol/index.ts";
import { type Connected, connectMock } from "./test-support.ts";

const candidates = [
  new URL("../../../../shared/examples/customer-portal.yaml", import.meta.url),
  new URL("../../../examples/customer-portal.yaml", import.meta.url),
].map((url) => fileURLToPath(url));
const fixture = candidates.find((path) => existsSync(path));

/** References resolve only at apply; before that they reach providers as `{ $unknown }` (design §3). */
function withUnknowns(value: unknown): unknown {
  if (typeof value === "string") return /\$\{[^}]+\}/.test(value) ? { $unknown: value } : value;
  if (Array.isArray(value)) return value.map(withUnknowns);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withUnknowns(item)]));
  }
  return value;
}

let mock: Connected;
beforeAll(async () => {
  mock = await connectMock({ mountName: "mock" });
});
afterAll(() => mock.close());

describe.skipIf(!fixture)("the seed example (customer-portal)", () => {
  it("validates against the mock's schemas with references unknown", async () => {
    const spec = parse(readFileSync(fixture!, "utf8")) as { spec: { resources: Record<string, unknown>[] } };
    const resources = spec.spec.resources.map((resource) => ({
      ...resource,
      properties: withUnknowns(resource["properties"] ?? {}),
    }));
    expect(resources.length).toBeGreaterThanOrEqual(10);
    const result = await mock.data<{ valid: boolean; issues: ValidationIssue[] }>("validateConfig", {
      resources,
    });
    expect(result.issues.filter((issue) => issue.severity === "error")).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
