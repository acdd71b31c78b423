import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BLUEPRINTS, planOffline } from "./index.ts";
import { createSpecChecker, type SpecChecker } from "./test-support.ts";
import type { OfflinePlan, SpecResource } from "./types.ts";

type Planned = Extract<OfflinePlan, { kind: "planned" }>;
type Declined = Extract<OfflinePlan, { kind: "declined" }>;

function planned(goal: string, options?: Parameters<typeof planOffline>[1]): Planned {
  const plan = planOffline(goal, options);
  if (plan.kind !== "planned") throw new Error(`expected a plan for "${goal}", got: ${plan.reason}`);
  return plan;
}

function declined(goal: string, options?: Parameters<typeof planOffline>[1]): Declined {
  const plan = planOffline(goal, options);
  if (plan.kind !== "declined") throw new Error(`expected "${goal}" to be declined, got: ${plan.summary}`);
  return plan;
}

const shape = (resources: readonly SpecResource[]) =>
  resources.map((resource) => `${resource.type} ${resource.name}`);

let checker: SpecChecker;
beforeAll(async () => {
  checker = await createSpecChecker();
});
afterAll(() => checker.close());

describe("the issue's first goal", () => {
  const goal = "deploy a web app with a load balancer and a postgres database";

  it("builds vlan, vpc, subnet, two instances, backend, frontend, one firewall rule and the database", async () => {
    const plan = planned(goal);
    expect(plan.understanding.blueprints).toEqual(["web-app-lb", "database"]);
    expect(plan.deployment.resources.map((resource) => resource.type).sort()).toEqual(
      [
        "opnsense:network:vlan",
        "aws:vpc:vpc",
        "aws:vpc:subnet",
        "aws:ec2:instance",
        "aws:ec2:instance",
        "opnsense:service:haproxy:backend",
        "opnsense:service:haproxy:frontend",
        "opnsense:firewall:rule",
        "aws:rds:instance",
      ].sort(),
    );
    expect(await checker.problems(plan.deployment)).toEqual([]);
  });

  it("says it is the offline planner and what it understood", () => {
    const plan = planned(goal);
    expect(plan.summary).toMatch(
      /^Offline planner \(built-in blueprints, no model\): understood a web app behind a load balancer/,
    );
    expect(plan.summary).toContain("2 × t3.medium instances");
    expect(plan.summary).toContain("port 8080");
    expect(plan.summary).toContain("a postgres database (db.t3.micro, 20 GB)");
    expect(plan.understanding.notes.some((note) => note.startsWith("web-app-lb assumed"))).toBe(true);
  });
});

describe("the seed's goal", () => {
  const seed = parse(
    readFileSync(new URL("../../../examples/customer-portal.yaml", import.meta.url), "utf8"),
  ) as {
    spec: { resources: SpecResource[] };
  };
  // The seed also builds a Docker image; the goal does not ask for one, so the plan has none.
  const expected = seed.spec.resources.filter((resource) => resource.type !== "docker:image:build");

  it("produces the customer-portal shape: same types, names and literal settings", async () => {
    const plan = planned("Deploy a web application with load balancing and database");
    expect(shape(plan.deployment.resources).sort()).toEqual(shape(expected).sort());
    for (const want of expected) {
      const got = plan.deployment.resources.find((resource) => resource.name === want.name)!;
      expect(Object.keys(got.properties).sort(), want.name).toEqual(Object.keys(want.properties).sort());
      for (const [key, value] of Object.entries(want.properties)) {
        if (key === "description" || JSON.stringify(value).includes("${")) continue;
        expect(got.properties[key], `${want.name}.${key}`).toEqual(value);
      }
    }
    expect(await checker.problems(plan.deployment)).toEqual([]);
  });
});

describe("declines", () => {
  it.each([
    ["a redis cluster on GCP", /targets Google Cloud/],
    ["a redis cluster", /no blueprint matches "a redis cluster" \(it asks for Redis\)/],
    ["make it fast", /no blueprint matches/],
    ["   ", /the goal is empty/],
    ["a web app behind a load balancer on Azure", /targets Azure/],
    ["deploy my app on heroku with a postgres addon", /targets Heroku/],
    ["a static site on vercel", /targets Vercel/],
    ["a kafka queue with monitoring", /it asks for message queue, monitoring/],
    ["a web app on port 70000 behind a load balancer", /cannot use these values: port 70000/],
    ["a web app on vlan 20 and a guest vlan 30 allowing dns", /several VLAN tags \(20, 30\)/],
    ["two t3.large and two m5.xlarge instances behind a load balancer", /several instance types/],
    ["run nginx:1.27 and redis:7 in docker", /several images \(nginx:1\.27, redis:7\)/],
    ["vlan 5000 allowing https", /VLAN tag 5000/],
    ["open port 443 on the firewall", /firewall rules outside a VLAN/],
  ])("declines %j", (goal, why) => {
    const plan = declined(goal);
    expect(plan.reason).toMatch(/^Offline planner: /);
    expect(plan.reason).toMatch(why);
    expect(plan.reason).toContain("ANTHROPIC_API_KEY");
    expect(plan.reason).toContain("OPENAI_API_KEY");
    for (const blueprint of BLUEPRINTS) expect(plan.reason).toContain(blueprint.id);
  });

  it("keeps what it understood in a decline", () => {
    const plan = declined("a static dhcp lease on opt2 for 10.0.0.9");
    expect(plan.understood.blueprints).toEqual(["dhcp-static"]);
    expect(plan.reason).toMatch(/needs the MAC address/);
  });

  it("declines blueprints whose types no configured server offers, naming them", () => {
    const opnsenseOnly = [
      "opnsense:network:vlan",
      "opnsense:firewall:rule",
      "opnsense:service:haproxy:backend",
    ];
    const plan = declined("deploy a web app with a load balancer and a postgres database", {
      availableTypes: opnsenseOnly,
    });
    expect(plan.reason).toMatch(/web-app-lb needs .*aws:ec2:instance/);
    expect(plan.reason).toMatch(/database needs aws:rds:instance/);
    expect(plan.reason).toMatch(/which no configured server offers/);
    expect(
      planOffline("create vlan 30 allowing dns", {
        availableTypes: ["opnsense:network:vlan", "opnsense:network:interface", "opnsense:firewall:rule"],
      }).kind,
    ).toBe("planned");
  });
});

describe("notes and names", () => {
  it("names the parts it does not cover instead of dropping them", () => {
    const plan = planned("a web app with a load balancer, a CDN and a postgres database");
    expect(plan.summary).toMatch(/Not covered offline: CDN\./);
    expect(plan.understanding.notes).toContain("not covered offline: CDN");
    const containers = planned("run nginx:1.27 in docker behind a load balancer");
    expect(containers.understanding.notes.join("\n")).toMatch(
      /a load balancer in front of Docker containers/,
    );
    const unused = planned("a web app behind a load balancer at shop.example.com");
    expect(unused.understanding.notes.join("\n")).toMatch(/not used: shop\.example\.com/);
  });

  it("takes the deployment name from the goal, the option, or the main blueprint", () => {
    expect(planned("a web app behind a load balancer called Shop_Front").deployment.name).toBe("shop-front");
    expect(planned("a web app behind a load balancer named shop").deployment.name).toBe("shop");
    expect(planned("a postgres database", { deploymentName: "orders" }).deployment.name).toBe("orders");
    expect(planned("a postgres database").deployment.name).toBe("database");
    expect(planned("vlan 30 allowing dns").deployment.name).toBe("vlan-30");
    expect(planned(`a database called ${"x".repeat(80)}`).deployment.name).toHaveLength(63);
  });

  it("lists its catalog", () => {
    expect(BLUEPRINTS.map((blueprint) => blueprint.id)).toEqual([
      "web-app-lb",
      "database",
      "vlan-firewall",
      "dns-override",
      "dhcp-static",
      "dhcp-range",
      "container-service",
      "kubernetes-app",
    ]);
    for (const blueprint of BLUEPRINTS) {
      expect(blueprint.description.length).toBeGreaterThan(10);
      expect(blueprint.keywords.length).toBeGreaterThan(0);
    }
  });
});

describe("secrets in goals", () => {
  it("does not quote KEY=value values back in a decline or the parameters", () => {
    const plan = declined("make it fast with API_TOKEN=s3cr3t-value");
    expect(plan.reason).not.toContain("s3cr3t-value");
    expect(plan.reason).toContain("API_TOKEN=…");
    const containers = planned("run nginx:1.27 in docker with DB_PASSWORD=hunter2hunter2");
    expect(JSON.stringify(containers.understanding)).not.toContain("hunter2hunter2");
    expect(containers.summary).not.toContain("hunter2hunter2");
  });
});

describe("only what the mounted server describes", () => {
  it("leaves out a property the server does not describe, and says so", () => {
    const plan = planned("run 2 nginx containers", {
      typeProperties: new Map([["docker:container:run", ["image", "ports", "env", "network"]]]),
    });
    const containers = plan.deployment.resources.filter((r) => r.type === "docker:container:run");
    expect(containers).toHaveLength(2);
    for (const container of containers) expect(container.properties).not.toHaveProperty("restart");
    expect(plan.understanding.notes.join("\n")).toMatch(/left out: nginx-1\.restart/);
  });

  it("plans docker containers the real provider accepts (restart, not restartPolicy)", async () => {
    const plan = planned("run 2 nginx containers");
    expect(plan.deployment.resources[0]!.properties).toHaveProperty("restart", "unless-stopped");
    expect(await checker.problems(plan.deployment)).toEqual([]);
  });
});

describe("goals say what they mean", () => {
  it("declines a removal or a change instead of planning creates", () => {
    for (const goal of [
      "destroy the web app",
      "remove the database",
      "tear down vlan 30",
      "please delete my portal",
    ])
      expect(declined(goal).reason).toMatch(/asks to take something away.*agent destroy NAME/);
    for (const goal of ["scale the web app to 5 servers", "change the database to mysql"])
      expect(declined(goal).reason).toMatch(/asks to change an existing deployment/);
    // "add" builds.
    expect(planned("add a postgres database").deployment.resources.length).toBeGreaterThan(0);
  });

  it("leaves out what the goal excludes, and says so", () => {
    const plan = planned("a web app with a load balancer but no database");
    expect(plan.deployment.resources.some((r) => r.type === "aws:rds:instance")).toBe(false);
    expect(plan.understanding.notes).toContain("left out: a database (the goal says not to have one)");
    const without = planned("deploy a web app without a database");
    expect(without.deployment.resources.some((r) => r.type === "aws:rds:instance")).toBe(false);
  });

  it("names what it will not honour: a public database, a block rule", () => {
    const db = planned("a postgres database that is publicly accessible");
    expect(
      db.deployment.resources.find((r) => r.type === "aws:rds:instance")?.properties["publiclyAccessible"],
    ).toBe(false);
    expect(db.understanding.notes.join("\n")).toMatch(/left out: public access to the database/);
    const vlan = planned("a guest vlan 200 allowing dns, blocked from the LAN");
    expect(vlan.understanding.notes.join("\n")).toMatch(/default deny blocks the rest/);
  });
});

describe("a DHCP range is a range", () => {
  it("plans a pool from..to on the goal's VLAN, not a static lease", async () => {
    const plan = planned("a guest vlan 200 allowing dns with dhcp 10.0.200.100-200");
    const ranges = plan.deployment.resources.filter((r) => r.type === "opnsense:service:dhcp:range");
    expect(ranges.map((r) => r.properties)).toEqual([
      { interface: "${vlan-200.device}", from: "10.0.200.100", to: "10.0.200.200" },
    ]);
    expect(plan.deployment.resources.some((r) => r.type === "opnsense:service:dhcp:static")).toBe(false);
    expect(await checker.problems(plan.deployment)).toEqual([]);
  });
});
