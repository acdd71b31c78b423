import { describe, expect, it } from "vitest";
import type { RunEvent } from "../agent/events.ts";
import type { GoalReport } from "../agent/run.ts";
import type { ListedResource } from "../tools/protocol/index.ts";
import { checkExpectations, findForbidden, matchResources, valueMismatches } from "./matcher.ts";

const LISTING: ListedResource[] = [
  {
    id: "db-1",
    type: "aws:rds:instance",
    name: "app-db",
    deploymentId: "web-app",
    properties: { engine: "postgres", allocatedStorage: 20, publiclyAccessible: false },
    outputs: {},
  },
  {
    id: "i-1",
    type: "aws:ec2:instance",
    name: "app-1",
    properties: { instanceType: "t3.medium", tags: { owner: "shop" } },
    outputs: {},
  },
  {
    id: "i-2",
    type: "aws:ec2:instance",
    name: "app-2",
    properties: { instanceType: "t3.small" },
    outputs: {},
  },
  {
    id: "rule-1",
    type: "opnsense:firewall:rule",
    name: "allow-https",
    properties: { action: "pass", port: "443", source: "any", destination: "10.0.150.1" },
    outputs: {},
  },
  {
    id: "be-1",
    type: "opnsense:service:haproxy:backend",
    name: "app-backend",
    properties: { servers: ["10.20.1.4:8080", "10.20.1.5:8080"] },
    outputs: {},
  },
  {
    id: "sg-1",
    type: "aws:vpc:security-group",
    name: "web",
    properties: {
      ingress: [
        { protocol: "tcp", port: 443, cidr: "0.0.0.0/0" },
        { protocol: "tcp", port: 22, cidr: "10.0.0.0/8" },
      ],
    },
    outputs: {},
  },
];

describe("resource expectations against a provider listing", () => {
  it("passes what is there: counts, minimums, property subsets, nested values and globs", () => {
    expect(
      matchResources(
        [
          { type: "aws:ec2:instance", count: 2 },
          { type: "aws:ec2:instance", count: 1, properties: { instanceType: "t3.medium" } },
          { type: "aws:ec2:instance", properties: { tags: { owner: "shop" } } },
          { type: "aws:*", min: 3 },
          {
            type: "aws:rds:instance",
            name: "app-*",
            properties: { engine: "postgres", publiclyAccessible: false },
          },
          { type: "opnsense:firewall:rule", properties: { port: 443 } },
          { type: "aws:s3:bucket", count: 0 },
        ],
        LISTING,
      ),
    ).toEqual([]);
  });

  it("fails a wrong count, a missing type and a differing value, and says what it found instead", () => {
    const failures = matchResources(
      [
        { type: "aws:ec2:instance", count: 3 },
        { type: "aws:s3:bucket" },
        { type: "aws:rds:instance", properties: { engine: "mysql", allocatedStorage: 50 } },
        { type: "aws:ec2:instance", min: 2, properties: { instanceType: "t3.medium" } },
      ],
      LISTING,
    );
    expect(failures).toHaveLength(4);
    expect(failures[0]).toBe("resources: expected exactly 3 aws:ec2:instance, found 2 (app-1, app-2)");
    expect(failures[1]).toBe("resources: expected at least 1 aws:s3:bucket, found 0");
    expect(failures[2]).toContain('engine: expected "mysql", got "postgres"');
    expect(failures[2]).toContain("allocatedStorage: expected 50, got 20");
    expect(failures[3]).toMatch(
      /found 1 \(app-1\); 1 other .* app-2: instanceType: expected "t3.medium", got "t3.small"/,
    );
  });

  it("matches lists by containment in any order, with regular expressions for values only known after apply", () => {
    const servers = "/^10\\.20\\.1\\.\\d+:8080$/";
    expect(valueMismatches({ servers: [servers, servers] }, LISTING[4]!.properties)).toEqual([]);
    // Two expected entries need two distinct actual entries.
    expect(valueMismatches({ servers: [servers, servers, servers] }, LISTING[4]!.properties)).toHaveLength(1);
    expect(valueMismatches({ servers: ["/^192\\./"] }, LISTING[4]!.properties)[0]).toMatch(
      /^servers: expected a list/,
    );
    expect(valueMismatches({ ingress: [{ port: 22, cidr: "10.0.0.0/8" }] }, LISTING[5]!.properties)).toEqual(
      [],
    );
    expect(
      valueMismatches({ ingress: [{ port: 22, cidr: "0.0.0.0/0" }] }, LISTING[5]!.properties),
    ).toHaveLength(1);
    expect(valueMismatches({ port: 443 }, { port: "443" })).toEqual([]);
    expect(valueMismatches({ port: 443 }, { port: "4430" })).toHaveLength(1);
    expect(valueMismatches({ versioning: true }, { versioning: "true" })).toHaveLength(1);
    expect(valueMismatches({ missing: null }, {})).toEqual([]);
    expect(valueMismatches({ tags: { owner: "x" } }, { tags: "owner=x" })).toEqual([
      'tags: expected a mapping, got "owner=x"',
    ]);
  });

  it("reports forbidden types and property patterns that exist, and nothing when none does", () => {
    expect(
      findForbidden(["kubernetes:*", { type: "opnsense:firewall:rule", properties: { port: 22 } }], LISTING),
    ).toEqual([]);
    const failures = findForbidden(
      [
        "aws:rds:*",
        { type: "opnsense:firewall:rule", properties: { source: "any", port: 443 } },
        { type: "aws:vpc:security-group", properties: { ingress: [{ port: 22 }] } },
      ],
      LISTING,
    );
    expect(failures).toEqual([
      "noResourcesOf: aws:rds:* exists: app-db (aws:rds:instance)",
      'noResourcesOf: opnsense:firewall:rule with {"source":"any","port":443} exists: allow-https (opnsense:firewall:rule)',
      'noResourcesOf: aws:vpc:security-group with {"ingress":[{"port":22}]} exists: web (aws:vpc:security-group)',
    ]);
    expect(findForbidden(["*"], [])).toEqual([]);
    expect(findForbidden(["*"], LISTING)).toHaveLength(1);
  });
});

function report(overrides: Partial<GoalReport> = {}): GoalReport {
  return {
    goal: "g",
    planner: { kind: "offline", description: "offline planner" },
    spec: { name: "web-app", resources: [] },
    findings: { deployment: [], plan: [] },
    approved: true,
    attempts: [],
    recovery: [],
    modelCalls: [],
    tokens: { input: 0, output: 0, cached: 0 },
    outcome: "succeeded",
    exitCode: 0,
    ...overrides,
  };
}

describe("the whole expectation set against a run", () => {
  it("passes a run that did what was expected", () => {
    const events: RunEvent[] = [
      {
        type: "change.retrying",
        name: "app-db",
        attempt: 1,
        delayMs: 10,
        error: { code: "THROTTLED", message: "slow down", retryable: true },
      },
    ];
    expect(
      checkExpectations(
        {
          outcome: ["succeeded", "nothing-to-do"],
          planner: "offline",
          deploymentName: "web-app",
          resources: [{ type: "aws:ec2:instance", count: 2 }],
          noResourcesOf: ["docker:*"],
          policy: { blocked: false, absent: ["no-public-admin-port"] },
          maxModelCalls: 0,
          recovery: [],
          retried: ["app-db"],
        },
        { report: report(), events, world: LISTING },
      ),
    ).toEqual([]);
  });

  it("fails each unmet expectation with its own message", () => {
    const blocked = report({
      outcome: "blocked",
      reason: "blocked by 1 mandatory policy: baseline/stateful-change-approval (app-db)",
      findings: {
        deployment: [{ policy: "baseline/required-tags", enforcement: "advisory", message: "no owner tag" }],
        plan: [
          {
            policy: "baseline/stateful-change-approval",
            enforcement: "mandatory",
            message: "replaces app-db",
            resource: "app-db",
          },
        ],
      },
      recovery: [{ attempt: 1, by: "rules", action: "rollback", reason: "hopeless" }],
      plan: {
        deployment: "web-app",
        changes: [{ action: "replace" }, { action: "noop" }, { action: "noop" }],
      } as unknown as GoalReport["plan"],
    });
    const failures = checkExpectations(
      {
        outcome: "succeeded",
        planner: "model",
        deploymentName: "shop",
        policy: { blocked: false, mandatory: ["no-public-admin-port"], absent: ["required-tags"] },
        recovery: [],
        retried: ["app-db"],
        changes: { create: 1, noop: 2 },
        second: { outcome: "nothing-to-do" },
      },
      { report: blocked, events: [], world: [] },
    );
    expect(failures).toEqual([
      "outcome: expected succeeded, got blocked (blocked by 1 mandatory policy: baseline/stateful-change-approval (app-db))",
      "planner: expected model, got offline",
      "deploymentName: expected shop, got web-app",
      "policy.blocked: expected false, got true",
      "policy.mandatory: no-public-admin-port was not found; found baseline/required-tags (advisory), baseline/stateful-change-approval (mandatory)",
      "policy.absent: required-tags was found: no owner tag",
      "recovery: expected [], got [rollback] (hopeless)",
      "retried: expected the engine to retry app-db; it retried nothing",
      "changes.create: expected 1, planned 0",
      "second: the case did not run twice",
    ]);
  });

  it("counts a policy a model's rejected submission ran into, and checks the second run of a repeat", () => {
    const events: RunEvent[] = [
      {
        type: "planner.submission",
        attempt: 1,
        errors: 1,
        warnings: 0,
        messages: ["allow-ssh: baseline/no-public-admin-port: port 22 is open to any source"],
      },
    ];
    const first = report({ planner: { kind: "model", description: "m" } });
    const second = report({
      planner: { kind: "model", description: "m" },
      outcome: "nothing-to-do",
      modelCalls: [1, 2, 3].map(() => ({
        purpose: "plan",
        provider: "scripted",
        model: "s",
        inputTokens: 1,
        outputTokens: 1,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        latencyMs: 1,
      })),
    });
    expect(
      checkExpectations(
        {
          policy: { mandatory: ["no-public-admin-port"] },
          second: { outcome: "nothing-to-do", planner: "model" },
        },
        { report: first, second, events, world: [] },
      ),
    ).toEqual([]);
    expect(
      checkExpectations(
        { second: { planner: "memory", maxModelCalls: 2 } },
        { report: first, second, events, world: [] },
      ),
    ).toEqual([
      "second.planner: expected memory, got model",
      "second.maxModelCalls: expected at most 2, made 3",
    ]);
  });
});
