import { describe, expect, it } from "vitest";
import { baselinePack } from "./baseline/index.ts";
import { PolicyCheckError, PolicyLoadError } from "./errors.ts";
import { formatFindings } from "./format.ts";
import { loadPolicies } from "./load.ts";
import { PolicySet } from "./policy-set.ts";
import { change, deployment, resource } from "./test-support.ts";
import type { PolicyPack } from "./types.ts";

const publicDb = resource("aws:rds:instance", "app-db", {
  engine: "postgres",
  instanceClass: "db.t3.micro",
  backupRetentionDays: 7,
  publiclyAccessible: true,
});
const untaggedVm = resource("aws:ec2:instance", "app-1", { instanceType: "t3.medium", ami: "ami-12345" });

function load(overrides?: Record<string, "advisory" | "mandatory" | "disabled">) {
  return loadPolicies(["builtin:baseline"], overrides ? { cwd: "/", overrides } : { cwd: "/" });
}

describe("blocked", () => {
  it("is set by a mandatory finding and not by advisory ones", async () => {
    const set = await load();
    const advisoryOnly = set.checkDeployment(deployment(untaggedVm));
    expect(advisoryOnly.blocked).toBe(false);
    expect(advisoryOnly.advisory).toHaveLength(1);
    expect(advisoryOnly.mandatory).toEqual([]);
    const both = set.checkDeployment(deployment(untaggedVm, publicDb));
    expect(both.blocked).toBe(true);
    expect(both.mandatory.map((finding) => finding.policy)).toEqual(["baseline/database-not-public"]);
    expect(both.findings).toHaveLength(3);
    expect(set.checkDeployment(deployment()).blocked).toBe(false);
  });
});

describe("enforcement overrides", () => {
  it("disables a mandatory rule", async () => {
    const set = await load({ "baseline/database-not-public": "disabled" });
    const result = set.checkDeployment(deployment(publicDb));
    expect(result.findings.map((finding) => finding.policy)).toEqual(["baseline/required-tags"]);
    expect(result.blocked).toBe(false);
    expect(set.rules().find((rule) => rule.id === "database-not-public")).toMatchObject({
      enforcement: "disabled",
      declared: "mandatory",
    });
  });

  it("makes an advisory rule mandatory", async () => {
    const set = await load({ "baseline/required-tags": "mandatory" });
    const result = set.checkDeployment(deployment(untaggedVm));
    expect(result.blocked).toBe(true);
    expect(result.mandatory).toEqual([
      expect.objectContaining({
        policy: "baseline/required-tags",
        enforcement: "mandatory",
        resource: "app-1",
      }),
    ]);
  });

  it("applies a pack glob, with the exact id taking precedence", async () => {
    const set = await load({ "baseline/*": "advisory", "baseline/database-not-public": "mandatory" });
    expect(Object.fromEntries(set.rules().map((rule) => [rule.id, rule.enforcement]))).toEqual({
      "no-public-admin-port": "advisory",
      "no-any-any-pass": "advisory",
      "database-not-public": "mandatory",
      "database-backups": "advisory",
      "stateful-change-approval": "advisory",
      "required-tags": "advisory",
    });
    const plan = { deployment: "customer-portal", changes: [change("aws:rds:instance", "app-db", "delete")] };
    expect(set.checkPlan(plan)).toMatchObject({
      blocked: false,
      advisory: [{ policy: "baseline/stateful-change-approval" }],
    });
    const all = await load({ "baseline/*": "disabled" });
    expect(all.checkDeployment(deployment(publicDb, untaggedVm)).findings).toEqual([]);
  });

  it("rejects overrides that name no loaded rule, naming the key", async () => {
    const typo = await load({ "baseline/database-not-publik": "disabled" }).catch(
      (caught: unknown) => caught,
    );
    expect(PolicyLoadError.isInstance(typo)).toBe(true);
    expect((typo as PolicyLoadError).message).toMatch(
      /^policy policyEnforcement: baseline\/database-not-publik: no loaded rule matches it; pack baseline has baseline\/no-public-admin-port, /,
    );
    const pack = await load({ "basline/*": "disabled" }).catch((caught: unknown) => caught);
    expect((pack as Error).message).toBe(
      "policy policyEnforcement: basline/*: no loaded pack is named basline; loaded: baseline",
    );
    const value = await load({ "baseline/required-tags": "off" as "disabled" }).catch(
      (caught: unknown) => caught,
    );
    expect((value as Error).message).toMatch(/"off" is not an enforcement/);
  });

  it("lets an override for a built-in pack that is not loaded through (--allow-destroy adds one)", async () => {
    const set = await loadPolicies([], {
      cwd: "/",
      overrides: { "baseline/stateful-change-approval": "advisory" },
    });
    expect(set.rules()).toEqual([]);
    expect(
      set.checkPlan({ deployment: "d", changes: [change("aws:rds:instance", "db", "delete")] }).findings,
    ).toEqual([]);
  });

  it("cannot be changed by what is checked", async () => {
    const set = await load();
    // A spec that tries to speak for the policy engine is only data.
    const sneaky = resource("aws:rds:instance", "app-db", {
      ...publicDb.properties,
      policyEnforcement: { "baseline/database-not-public": "disabled" },
      enforcement: "advisory",
    });
    expect(set.checkDeployment(deployment(sneaky)).blocked).toBe(true);
    // A pack's report cannot choose its enforcement either: extra fields are ignored.
    const pushy: PolicyPack = {
      name: "pushy",
      description: "reports with an enforcement of its own",
      rules: [{ id: "r", description: "d", enforcement: "advisory" }],
      validateResource(_resource, report) {
        report("r", { message: "m", enforcement: "disabled" } as { message: string });
      },
    };
    const result = new PolicySet([pushy]).checkDeployment(deployment(untaggedVm));
    expect(result.advisory.map((finding) => finding.enforcement)).toEqual(["advisory"]);
  });
});

describe("pack isolation and failures", () => {
  it("packs get copies with references marked unknown; the caller's spec is untouched", async () => {
    const seen: unknown[] = [];
    const mutating: PolicyPack = {
      name: "mutating",
      description: "tries to change what it checks",
      rules: [{ id: "r", description: "d", enforcement: "advisory" }],
      validateResource(resource) {
        seen.push(resource.properties["subnet"]);
        resource.properties["publiclyAccessible"] = false;
      },
    };
    const spec = deployment(
      resource("aws:rds:instance", "app-db", { ...publicDb.properties, subnet: "${aws:vpc:subnet.id}" }),
    );
    const result = new PolicySet([mutating, baselinePack]).checkDeployment(spec);
    expect(seen).toEqual([{ $unknown: "${aws:vpc:subnet.id}" }]);
    expect(spec.resources[0]!.properties["publiclyAccessible"]).toBe(true);
    expect(spec.resources[0]!.properties["subnet"]).toBe("${aws:vpc:subnet.id}");
    // Each pack gets its own copy, so the first one's edit does not hide the problem from the second.
    expect(result.blocked).toBe(true);
  });

  it("a pack that throws or reports an undeclared rule stops the check with a PolicyCheckError", () => {
    const throwing: PolicyPack = {
      name: "throwing",
      description: "d",
      rules: [{ id: "r", description: "d", enforcement: "advisory" }],
      validateResource() {
        throw new TypeError("cannot read properties of undefined");
      },
    };
    const error = (() => {
      try {
        new PolicySet([throwing], { sources: ["./policies/throwing.ts"] }).checkDeployment(
          deployment(untaggedVm),
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(PolicyCheckError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "policy pack throwing (./policies/throwing.ts) failed in validateResource on resource app-1: cannot read properties of undefined; fix the pack or remove it from policies",
    );
    const undeclared: PolicyPack = {
      name: "undeclared",
      description: "d",
      rules: [{ id: "r", description: "d", enforcement: "advisory" }],
      validatePlan(_plan, report) {
        report("other", { message: "m" });
      },
    };
    expect(() => new PolicySet([undeclared]).checkPlan({ deployment: "d", changes: [] })).toThrow(
      /reported rule "other", which it does not declare in rules/,
    );
  });
});

describe("formatFindings", () => {
  it("prints mandatory findings first, one plain line each", async () => {
    const set = await load();
    const result = set.checkDeployment(deployment(untaggedVm, publicDb));
    expect(formatFindings(result)).toEqual([
      "MANDATORY baseline/database-not-public app-db: properties.publiclyAccessible: RDS instance is publicly accessible; set publiclyAccessible: false",
      "ADVISORY baseline/required-tags app-1: properties.tags: aws:ec2:instance has no owner or environment tag; add tags: { owner: ..., environment: ... }",
      "ADVISORY baseline/required-tags app-db: properties.tags: aws:rds:instance has no owner or environment tag; add tags: { owner: ..., environment: ... }",
    ]);
    expect(formatFindings(set.checkDeployment(deployment()))).toEqual([]);
    expect(
      formatFindings({
        mandatory: [
          {
            policy: "p/r",
            pack: "p",
            enforcement: "mandatory",
            message: "whole deployment",
            stage: "deployment",
          },
        ],
        advisory: [],
      }),
    ).toEqual(["MANDATORY p/r: whole deployment"]);
  });
});
