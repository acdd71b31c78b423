import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { buildGraph } from "./graph.ts";
import { deploymentFromObject, parseSpec } from "./spec.ts";
import { SpecError } from "./spec-error.ts";

/** Runs `work`; anything it throws must be a SpecError with a message, never a raw TypeError. */
function specOutcome(work: () => unknown): "ok" | "refused" {
  try {
    work();
    return "ok";
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
    return "refused";
  }
}

const TYPES = ["opnsense:network:vlan", "aws:vpc:vpc", "mock:test:item", "nope", ":::", "a:b"];
const NAMES = ["vpc", "web", "db", "__proto__", "constructor", "toString", "a b", ""];
const PATHS = [
  "id",
  "__proto__",
  "constructor",
  "toString",
  "outputs.x",
  "0",
  "a[0]",
  "",
  "..",
  "id.__proto__",
];

/** Values that look like a spec's: references into other resources (built-ins too) among plain data. */
const reference = fc
  .tuple(fc.constantFrom(...NAMES), fc.constantFrom(...PATHS), fc.constantFrom("", "x-", "${"))
  .map(([name, path, prefix]) => `${prefix}\${${name}${path ? `.${path}` : ""}}`);
const propertyValue = fc.oneof(
  reference,
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(reference, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), reference, { maxKeys: 3 }),
);
const resource = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...TYPES), fc.anything()),
    name: fc.oneof(fc.constantFrom(...NAMES), fc.anything()),
    properties: fc.oneof(
      fc.dictionary(fc.constantFrom("a", "b", "cidrBlock", "__proto__"), propertyValue),
      fc.anything(),
    ),
    dependsOn: fc.oneof(fc.array(fc.constantFrom(...NAMES), { maxLength: 3 }), fc.anything()),
    checks: fc.anything(),
  },
  { requiredKeys: ["type", "name"] },
);
const specObject = fc.oneof(
  fc.record({
    name: fc.oneof(fc.constantFrom("demo", "", "a/b"), fc.anything()),
    resources: fc.array(resource, { maxLength: 5 }),
  }),
  fc.record({
    apiVersion: fc.constantFrom("mcp-iac/v1", "v2", ""),
    kind: fc.constantFrom("Deployment", "Other"),
    metadata: fc.oneof(fc.record({ name: fc.string() }), fc.anything()),
    spec: fc.oneof(fc.record({ resources: fc.array(resource, { maxLength: 4 }) }), fc.anything()),
  }),
  fc.anything(),
);

describe("specs, for any input", () => {
  it("parseSpec of arbitrary text either reads a deployment or refuses with a SpecError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.string({ unit: "binary", maxLength: 120 }),
          fc.json({ maxDepth: 3 }),
        ),
        (text) => {
          specOutcome(() => parseSpec(text, "fuzz.yaml"));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("spec-shaped YAML with references into anything, built-ins included, is read and graphed or refused", () => {
    fc.assert(
      fc.property(specObject, (object) => {
        let text: string | undefined;
        try {
          text = stringify(object) as string | undefined;
        } catch {
          return; // not representable as YAML: nothing a user could write
        }
        if (typeof text !== "string") return; // `undefined` has no YAML form
        specOutcome(() => {
          const deployment = parseSpec(text, "fuzz.yaml");
          buildGraph(deployment, { typeInfo: () => undefined });
        });
      }),
      { numRuns: 100 },
    );
  });

  it("deploymentFromObject of any value refuses with a SpecError or gives resources with names and types", () => {
    fc.assert(
      fc.property(specObject, (object) => {
        let deployment: ReturnType<typeof deploymentFromObject> | undefined;
        const outcome = specOutcome(() => {
          deployment = deploymentFromObject(object, "fuzz");
        });
        if (outcome === "ok") {
          for (const item of deployment!.resources) {
            expect(typeof item.name).toBe("string");
            expect(typeof item.type).toBe("string");
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a reference into a JavaScript built-in is never read as a value", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("__proto__", "constructor", "toString", "valueOf", "hasOwnProperty"),
        (key) => {
          let message = "";
          const outcome = specOutcome(() => {
            try {
              buildGraph(
                deploymentFromObject(
                  {
                    name: "demo",
                    resources: [
                      { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.0.0.0/16" } },
                      { type: "aws:vpc:subnet", name: "sub", properties: { vpc: `\${vpc.${key}}` } },
                    ],
                  },
                  "fuzz",
                ),
                {
                  typeInfo: (type) =>
                    type.startsWith("aws:vpc:")
                      ? ({
                          type,
                          description: "",
                          inputSchema: {},
                          outputs: { type: "object", properties: { id: { type: "string" } } },
                        } as never)
                      : undefined,
                },
              );
            } catch (error) {
              message = JSON.stringify((error as SpecError).issues ?? (error as Error).message);
              throw error;
            }
          });
          expect(outcome).toBe("refused");
          expect(message).toContain(key);
        },
      ),
      { numRuns: 20 },
    );
  });
});
