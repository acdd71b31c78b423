import { describe, expect, it } from "vitest";
import { PolicySet } from "../policy-set.ts";
import { change } from "../test-support.ts";
import type { PolicyChange } from "../types.ts";
import { baselinePack } from "./index.ts";

const baseline = new PolicySet([baselinePack]);
const risk = (stateful: boolean) => ({ destructive: true, stateful, dependents: 0 });

function check(...changes: PolicyChange[]) {
  return baseline.checkPlan({ deployment: "customer-portal", changes });
}

describe("baseline/stateful-change-approval", () => {
  it("blocks deleting a database, and says how to approve it", () => {
    const result = check(change("aws:rds:instance", "app-db", "delete", { before: { engine: "postgres" } }));
    expect(result.blocked).toBe(true);
    expect(result.mandatory).toEqual([
      {
        policy: "baseline/stateful-change-approval",
        pack: "baseline",
        enforcement: "mandatory",
        resource: "app-db",
        message:
          'deleting app-db (aws:rds:instance) destroys the data it holds; approve it explicitly with --allow-destroy, or set policyEnforcement: { "baseline/stateful-change-approval": advisory } in mcp-iac.config.yaml',
        stage: "plan",
      },
    ]);
  });

  it("blocks replacing a stateful resource, naming the property that forces it", () => {
    const result = check(
      change("aws:rds:instance", "app-db", "replace", {
        before: { engine: "postgres" },
        after: { engine: "mysql" },
        diff: [
          { path: "engine", forcesReplacement: true },
          { path: "allocatedStorage", forcesReplacement: false },
        ],
      }),
    );
    expect(result.mandatory).toEqual([
      expect.objectContaining({
        resource: "app-db",
        path: "properties.engine",
        message: expect.stringMatching(
          /^replacing app-db \(aws:rds:instance, because engine changed\) destroys/,
        ),
      }),
    ]);
  });

  it("knows buckets and volumes, and anything the engine marks stateful", () => {
    const result = check(
      change("aws:s3:bucket", "assets", "delete"),
      change("docker:volume:create", "pgdata", "replace"),
      change("kubernetes:apps:deployment", "postgres", "delete", { risk: risk(true) }),
    );
    expect(result.mandatory.map((finding) => finding.resource)).toEqual(["assets", "pgdata", "postgres"]);
  });

  it("does not fire on creates, updates, or deleting what holds no data", () => {
    const result = check(
      change("aws:rds:instance", "app-db", "create", { after: { engine: "postgres" } }),
      change("aws:rds:instance", "app-db2", "update", { risk: risk(true) }),
      change("aws:rds:instance", "app-db3", "noop"),
      change("opnsense:firewall:rule", "allow-https", "delete", { risk: risk(false) }),
      change("aws:ec2:instance", "app-1", "replace", { risk: risk(false) }),
    );
    expect(result.findings).toEqual([]);
  });

  it("turns advisory when approved through the override", () => {
    const approved = new PolicySet([baselinePack], {
      overrides: { "baseline/stateful-change-approval": "advisory" },
    });
    const result = approved.checkPlan({
      deployment: "d",
      changes: [change("aws:rds:instance", "app-db", "delete")],
    });
    expect(result.blocked).toBe(false);
    expect(result.advisory.map((finding) => finding.policy)).toEqual(["baseline/stateful-change-approval"]);
  });
});
