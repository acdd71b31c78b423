import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatFindings } from "../format.ts";
import { loadPolicies } from "../load.ts";
import type { PolicyDeployment } from "../types.ts";

// The seed's full-stack example, read as the spec parser would hand it over (references still as text).
function seedExample(): PolicyDeployment {
  const document = parse(
    readFileSync(new URL("../../examples/customer-portal.yaml", import.meta.url), "utf8"),
  ) as {
    metadata: { name: string };
    spec: { resources: PolicyDeployment["resources"] };
  };
  return { name: document.metadata.name, resources: document.spec.resources };
}

describe("baseline on the customer-portal example", () => {
  it("does not block it: allow-https goes to ${haproxy.ip}, not known at check time", async () => {
    const set = await loadPolicies(["builtin:baseline"], { cwd: process.cwd() });
    const result = set.checkDeployment(seedExample());
    expect(result.blocked).toBe(false);
    expect(formatFindings(result)).toEqual([
      "ADVISORY baseline/required-tags app-1: properties.tags: aws:ec2:instance has no owner or environment tag; add tags: { owner: ..., environment: ... }",
      "ADVISORY baseline/required-tags app-2: properties.tags: aws:ec2:instance has no owner or environment tag; add tags: { owner: ..., environment: ... }",
      "ADVISORY baseline/required-tags app-db: properties.tags: aws:rds:instance has no owner or environment tag; add tags: { owner: ..., environment: ... }",
    ]);
  });

  it("blocks it once the rule's destination is any and the database is public", async () => {
    const set = await loadPolicies(["builtin:baseline"], { cwd: process.cwd() });
    const spec = seedExample();
    for (const resource of spec.resources) {
      if (resource.name === "allow-https") resource.properties["destination"] = "any";
      if (resource.name === "app-db") resource.properties["publiclyAccessible"] = true;
    }
    const result = set.checkDeployment(spec);
    expect(result.mandatory.map((finding) => `${finding.policy} ${finding.resource}`)).toEqual([
      "baseline/database-not-public app-db",
      "baseline/no-any-any-pass allow-https",
    ]);
  });
});
