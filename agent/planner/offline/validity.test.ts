import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planOffline } from "./index.ts";
import { createSpecChecker, type SpecChecker, safetyViolations } from "./test-support.ts";
import type { OfflinePlan } from "./types.ts";

/** The planner's vocabulary in pieces, including values out of range and things no blueprint covers. */
const FRAGMENTS = [
  "deploy",
  "set up",
  "I need",
  "please create",
  "a web app",
  "a web application",
  "a website",
  "my portal",
  "behind a load balancer",
  "with load balancing",
  "behind haproxy",
  "an lb",
  "app servers",
  "a postgres database",
  "postgres 16",
  "mysql 8.0",
  "a PostgreSQL db",
  "a mysql database",
  "mariadb",
  "an aurora postgres database",
  "an RDS database",
  "a database",
  "a production database",
  "a large db",
  "db.t3.small",
  "db.r5.large",
  "multi-az",
  "14 days of backups",
  "backups kept for 40 days",
  "no backups",
  "a public database",
  "vlan 30",
  "VLAN ID 4094",
  "a guest vlan",
  "on igc1",
  "on opt2",
  "on lan",
  "allowing https and dns",
  "allow ntp and ping",
  "permit tcp 8443",
  "udp port 514",
  "allow ssh",
  "allow rdp from the internet",
  "into the vlan",
  "from 192.168.1.0/24",
  "from the internet",
  "point app.example.lan at 10.0.0.5",
  "make nas.home.arpa resolve to it",
  "dns override for wiki.corp.lan",
  "reserve 10.0.150.20",
  "for 00:11:22:33:44:55",
  "a static dhcp lease",
  "hostname printer",
  "a printer named laserjet",
  "run nginx:1.27",
  "ghcr.io/acme/shop:2.1",
  "a redis container",
  "in docker",
  "containers",
  "build the app from ./web",
  "with dockerfile ./Dockerfile.prod",
  "LOG_LEVEL=debug",
  "with host networking",
  "on kubernetes",
  "on k8s",
  "in namespace shop",
  "exposed with a nodeport",
  "pods",
  "three instances",
  "2 replicas",
  "ten containers",
  "a couple of servers",
  "t3.large",
  "m5.xlarge",
  "from ami-0abc123",
  "50 GB",
  "1 TB",
  "10 GB",
  "port 8080",
  "port 3000",
  "port 80",
  "http only",
  "over https",
  "leastconn",
  "sticky sessions",
  "called shop",
  "named Orders_API",
  "and a CDN",
  "with monitoring",
  "a redis cache",
  "a mongodb database",
  "on GCP",
  "with a TLS certificate",
  "and",
  "with",
  ",",
];

const tokenGoal = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...FRAGMENTS) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 70000 }).map((n) => `${n}`) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 70000 }).map((n) => `port ${n}`) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 5000 }).map((n) => `vlan ${n}`) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 }).map((n) => `${n} instances`) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 200 }).map((n) => `${n} replicas`) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 100000 }).map((n) => `${n} GB`) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(" "));

let checker: SpecChecker;
beforeAll(async () => {
  checker = await createSpecChecker();
});
afterAll(() => checker.close());

async function checkPlan(goal: string, plan: OfflinePlan): Promise<void> {
  if (plan.kind === "declined") {
    expect(plan.reason, goal).toMatch(/^Offline planner: /);
    expect(plan.reason, goal).toContain("ANTHROPIC_API_KEY");
    return;
  }
  const { deployment } = plan;
  expect(deployment.name, goal).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
  expect(plan.summary, goal).toMatch(/^Offline planner/);
  const names = deployment.resources.map((resource) => resource.name);
  expect(new Set(names).size, goal).toBe(names.length);
  for (const name of names) expect(name, goal).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
  expect(await checker.problems(deployment), goal).toEqual([]);
  expect(safetyViolations(deployment.resources), goal).toEqual([]);
  if (/\bcdn\b/i.test(goal)) expect(plan.summary, goal).toContain("CDN");
}

describe("every offline plan is a valid, safe spec", () => {
  it("over goals built from the planner's vocabulary", async () => {
    let plannedCount = 0;
    await fc.assert(
      fc.asyncProperty(tokenGoal, async (goal) => {
        const plan = planOffline(goal);
        if (plan.kind === "planned") plannedCount++;
        await checkPlan(goal, plan);
      }),
      { numRuns: 800 },
    );
    // The generator must reach the planner's blueprints, not only its declines.
    expect(plannedCount).toBeGreaterThan(100);
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "grapheme" }), (goal) => {
        const plan = planOffline(goal);
        expect(["planned", "declined"]).toContain(plan.kind);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    "deploy a web app with a load balancer and a postgres database",
    "three t3.large instances behind haproxy on port 3000, vlan 200 on igc1, http only",
    "a production mysql database with 100 GB, 14 days of backups, multi-az",
    "create vlan 30 on igc1 allowing https and dns",
    "vlan 40 allowing https and ssh from the internet",
    "a web app behind a load balancer on vlan 60, and the vlan allows dns and ntp and point portal.example.lan at it",
    "point app.example.lan at 10.0.0.5",
    "reserve 10.0.150.20 for 00:11:22:33:44:55 on opt1 hostname printer",
    "run 3 nginx:1.27 containers on port 8080 with LOG_LEVEL=debug",
    "build the app from ./web with docker and run two containers on port 9000",
    "deploy nginx:1.27 to kubernetes with 4 replicas behind a load balancer in namespace shop",
    "build ./api and deploy it on kubernetes with an RDS postgres database, called orders",
  ])("validates %j", async (goal) => {
    const plan = planOffline(goal);
    expect(plan.kind).toBe("planned");
    await checkPlan(goal, plan);
  });
});

describe("the checks themselves", () => {
  it("catch a closed-schema violation, a dangling reference and unsafe rules", async () => {
    const problems = await checker.problems({
      name: "bad",
      resources: [
        {
          type: "opnsense:network:vlan",
          name: "net",
          properties: { tag: 150, interface: "igc2", colour: "red" },
        },
        {
          type: "opnsense:firewall:rule",
          name: "open",
          properties: { action: "pass", source: "any", destination: "${nope.ip}" },
        },
      ],
    });
    expect(problems.join("\n")).toMatch(/nope/);
    expect(problems.join("\n")).toMatch(/net .*colour|additional/i);
    expect(
      safetyViolations([
        {
          type: "opnsense:firewall:rule",
          name: "a",
          properties: { action: "pass", source: "any", destination: "any" },
        },
        {
          type: "opnsense:firewall:rule",
          name: "b",
          properties: { action: "pass", source: "any", destination: "10.0.0.0/24", port: 22 },
        },
        { type: "aws:rds:instance", name: "c", properties: { engine: "postgres", backupRetentionDays: 0 } },
      ]),
    ).toEqual(["a: any to any", "b: admin port 22 open to any", "c: not explicitly private", "c: backups 0"]);
  });
});
