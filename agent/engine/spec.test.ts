import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { buildGraph } from "./graph.ts";
import { parseSpec } from "./spec.ts";
import { SpecError } from "./spec-error.ts";

const valid = {
  apiVersion: "iac.mcp/v1",
  kind: "Deployment",
  metadata: { name: "demo" },
  spec: {
    resources: [
      { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.0.0.0/16" } },
      { type: "aws:vpc:subnet", name: "subnet", properties: { vpc: "${vpc.id}", cidrBlock: "10.0.1.0/24" } },
    ],
  },
};

function specProblem(text: string): SpecError {
  try {
    const deployment = parseSpec(text, "spec.yaml");
    buildGraph(deployment);
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error("expected a SpecError");
}

describe("parseSpec", () => {
  it("reads the Kubernetes-style and the plain shape alike", () => {
    const kube = parseSpec(stringify(valid));
    const plain = parseSpec(JSON.stringify({ name: "demo", resources: valid.spec.resources }));
    expect(kube).toEqual(plain);
    expect(kube.resources[1]!.properties["vpc"]).toBe("${vpc.id}");
  });

  it("names the line of a YAML syntax error", () => {
    const error = specProblem("metadata:\n  name: [unclosed\nspec: {}\n");
    expect(error.message).toMatch(/line \d+, column \d+/);
    expect(error.exitCode).toBe(2);
  });

  it("names the resource and path of a schema error", () => {
    const broken = structuredClone(valid);
    (broken.spec.resources[1] as Record<string, unknown>)["type"] = "subnet";
    const error = specProblem(stringify(broken));
    expect(error.issues[0]).toMatchObject({ resource: "subnet", path: "resources[1].type" });
  });

  it("rejects duplicate names", () => {
    const broken = structuredClone(valid);
    broken.spec.resources[1]!.name = "vpc";
    expect(specProblem(stringify(broken)).message).toMatch(/already used by resources\[0\]/);
  });
});

describe("buildGraph", () => {
  it("names a dangling reference and suggests the close name", () => {
    const broken = structuredClone(valid);
    broken.spec.resources[1]!.properties["vpc"] = "${vcp.id}";
    const error = specProblem(stringify(broken));
    expect(error.issues[0]).toMatchObject({ resource: "subnet", path: "properties.vpc" });
    expect(error.message).toMatch(/did you mean vpc\?/);
  });

  it("names a cycle through its members", () => {
    const cyclic = structuredClone(valid);
    cyclic.spec.resources[0]!.properties["cidrBlock"] = "${subnet.cidrBlock}";
    expect(specProblem(stringify(cyclic)).message).toMatch(
      /dependency cycle: (vpc → subnet → vpc|subnet → vpc → subnet)/,
    );
  });

  it("checks the type prefix of the long reference form", () => {
    const broken = structuredClone(valid);
    broken.spec.resources[1]!.properties["vpc"] = "${aws:ec2:vpc.id}";
    expect(specProblem(stringify(broken)).message).toMatch(
      /says vpc is a aws:ec2:\* resource, but it is aws:vpc:vpc/,
    );
  });

  it("orders dependencies first and counts edges from dependsOn too", () => {
    const deployment = parseSpec(
      stringify({
        name: "d",
        resources: [
          { type: "a:b:c", name: "x", properties: {}, dependsOn: ["y"] },
          { type: "a:b:c", name: "y", properties: {} },
        ],
      }),
    );
    expect(buildGraph(deployment).order).toEqual(["y", "x"]);
  });
});

describe("any malformed spec gets a clear error, never a crash", () => {
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
  const resource = fc.record(
    {
      type: fc.oneof(fc.constantFrom("aws:ec2:instance", "opnsense:firewall:rule", "bad", ""), fc.string()),
      name: fc.oneof(fc.constantFrom("a", "b", "c"), fc.string()),
      properties: fc.dictionary(
        fc.string(),
        fc.oneof(scalar, fc.constantFrom("${a.id}", "${b.ip}", "${zz.id}", "${", "${a}")),
      ),
      dependsOn: fc.array(fc.constantFrom("a", "b", "c", "d")),
    },
    { requiredKeys: [] },
  );
  const document = fc.oneof(
    fc.record(
      {
        apiVersion: fc.constantFrom("iac.mcp/v1", "v2"),
        kind: fc.constantFrom("Deployment", "Pod"),
        metadata: fc.record({ name: fc.string() }),
        spec: fc.record({ resources: fc.array(resource) }),
      },
      { requiredKeys: [] },
    ),
    fc.record({ name: fc.string(), resources: fc.oneof(fc.array(resource), scalar) }, { requiredKeys: [] }),
    fc.anything(),
  );

  it("parses or fails with a SpecError (exit 2) whose message names what is wrong", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          document.map((value) => stringify(value) ?? ""),
          fc.string(),
        ),
        (text) => {
          try {
            buildGraph(parseSpec(text, "spec.yaml"));
          } catch (error) {
            expect(error).toBeInstanceOf(SpecError);
            const specError = error as SpecError;
            expect(specError.exitCode).toBe(2);
            expect(specError.issues.length).toBeGreaterThan(0);
            // Parse errors name the file; graph errors (cycles, references) name the deployment.
            expect(specError.message).toMatch(
              /^(spec\.yaml|deployment "[^"]*") is not a valid deployment spec/,
            );
            expect(specError.message).not.toMatch(/\n\s+at /);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
