import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { agent, tempProject, writeSpec } from "./harness.ts";

describe("a malformed spec through the real binary", () => {
  it("gets a clear message naming the problem, exit 2, and no stack trace", async () => {
    const dir = tempProject();
    const samples = fc.sample(
      fc.oneof(
        fc.string(),
        fc.anything().map((value) => stringify(value) ?? ""),
        fc.constantFrom(
          "apiVersion: iac.mcp/v1\nkind: Deployment\nmetadata: { name: x }\nspec:\n  resources:\n    - { type: aws:ec2:instance, name: a, properties: { subnet: '${nope.id}' } }\n",
          "apiVersion: iac.mcp/v1\nkind: Deployment\nmetadata: { name: x }\nspec:\n  resources:\n    - { type: nosuch:thing:here, name: a }\n",
          "name: x\nresources:\n  - { type: aws:ec2:instance, name: a, properties: { ami: '${b.id}' } }\n  - { type: aws:ec2:instance, name: b, properties: { ami: '${a.id}' } }\n",
          "name: x\nresources: [ { type: aws:ec2:instance, name: a, properties: { instanceType: 7 } } ]\n",
          "{ not yaml: [",
        ),
      ),
      { numRuns: 12, seed: 20261124 },
    );
    for (const [index, text] of samples.entries()) {
      writeSpec(dir, `bad-${index}.yaml`, text);
      const run = await agent(["plan", "-f", `bad-${index}.yaml`], dir);
      if (run.exitCode === 0) continue; // fast-check may produce a valid (empty) deployment
      expect(run.exitCode, `${text}\n${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/^Error: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toMatch(/This is a bug/);
    }
  });
});
