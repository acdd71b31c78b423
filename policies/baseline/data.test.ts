import { describe, expect, it } from "vitest";
import { PolicySet } from "../policy-set.ts";
import { deployment, resource } from "../test-support.ts";
import type { PolicyResource } from "../types.ts";
import { baselinePack } from "./index.ts";

const baseline = new PolicySet([baselinePack]);
const tags = { owner: "team-portal", environment: "production" };

function findings(...resources: PolicyResource[]) {
  return baseline
    .checkDeployment(deployment(...resources))
    .findings.map(({ policy, resource, path, enforcement, message }) => ({
      policy,
      resource,
      path,
      enforcement,
      message,
    }));
}

const database = (properties: Record<string, unknown>) =>
  resource("aws:rds:instance", "app-db", {
    engine: "postgres",
    instanceClass: "db.t3.micro",
    allocatedStorage: 20,
    backupRetentionDays: 7,
    publiclyAccessible: false,
    tags,
    ...properties,
  });

describe("baseline/database-not-public", () => {
  it("fires on a publicly accessible RDS instance", () => {
    expect(findings(database({ publiclyAccessible: true }))).toEqual([
      {
        policy: "baseline/database-not-public",
        resource: "app-db",
        path: "properties.publiclyAccessible",
        enforcement: "mandatory",
        message: "RDS instance is publicly accessible; set publiclyAccessible: false",
      },
    ]);
  });

  it("does not fire when private, unset or not known yet", () => {
    expect(findings(database({}))).toEqual([]);
    expect(findings(database({ publiclyAccessible: undefined }))).toEqual([]);
    expect(findings(database({ publiclyAccessible: "${settings.public}" }))).toEqual([]);
  });
});

describe("baseline/database-backups", () => {
  it("fires when backupRetentionDays is missing or 0", () => {
    expect(findings(database({ backupRetentionDays: undefined }))).toEqual([
      expect.objectContaining({
        policy: "baseline/database-backups",
        path: "properties.backupRetentionDays",
        enforcement: "mandatory",
        message: "RDS instance does not say how long it keeps backups; set backupRetentionDays (7 or more)",
      }),
    ]);
    expect(findings(database({ backupRetentionDays: 0 }))).toEqual([
      expect.objectContaining({
        policy: "baseline/database-backups",
        message:
          "RDS instance has automated backups turned off (backupRetentionDays: 0); set it to 7 or more",
      }),
    ]);
  });

  it("does not fire with a retention period or one not known yet", () => {
    expect(findings(database({ backupRetentionDays: 1 }))).toEqual([]);
    expect(findings(database({ backupRetentionDays: { $unknown: "${defaults.retention}" } }))).toEqual([]);
  });
});

describe("baseline/required-tags", () => {
  it("fires, advisory, on instances, databases and buckets without owner and environment", () => {
    expect(
      findings(
        resource("aws:ec2:instance", "app-1", {
          instanceType: "t3.medium",
          ami: "ami-12345",
          tags: { Name: "app-1", owner: "web" },
        }),
        database({ tags: undefined }),
        resource("aws:s3:bucket", "assets", { bucketName: "customer-portal-assets" }),
      ),
    ).toEqual([
      {
        policy: "baseline/required-tags",
        resource: "app-1",
        path: "properties.tags",
        enforcement: "advisory",
        message: "aws:ec2:instance has no environment tag; add tags: { environment: ... }",
      },
      expect.objectContaining({
        resource: "app-db",
        message: expect.stringMatching(/no owner or environment tag/),
      }),
      expect.objectContaining({
        resource: "assets",
        message: expect.stringMatching(/^aws:s3:bucket has no owner or environment tag/),
      }),
    ]);
  });

  it("does not fire with both tags (any case), tags not known yet, or other types", () => {
    expect(
      findings(
        resource("aws:ec2:instance", "app-1", {
          instanceType: "t3.medium",
          tags: { Owner: "web", Environment: "prod" },
        }),
      ),
    ).toEqual([]);
    expect(
      findings(
        resource("aws:ec2:instance", "app-1", { instanceType: "t3.medium", tags: "${defaults.tags}" }),
      ),
    ).toEqual([]);
    expect(findings(resource("aws:vpc:vpc", "vpc", { cidrBlock: "10.20.0.0/16" }))).toEqual([]);
  });
});
