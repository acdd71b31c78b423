import { describe, expect, it } from "vitest";
import { goalElements, modelPlanNotes, noteModelPlan } from "./goal-coverage.ts";
import { readSubmission } from "./submitted-spec.ts";

const GOAL = "deploy a web app with a load balancer, a postgres database and a redis cache, with monitoring";

describe("goal coverage of a model's spec", () => {
  it("finds a goal's elements with the offline planner's extractor", () => {
    expect(goalElements(GOAL).elements.map((element) => element.label)).toEqual([
      "web servers",
      "a load balancer",
      "a database",
      "cache",
      "monitoring",
      "Redis",
    ]);
    expect(goalElements("deploy my app on heroku with a postgres addon").otherPlatforms).toEqual(["Heroku"]);
  });

  it("names what the model left out with its reason, and what it dropped silently", () => {
    const notes = modelPlanNotes(
      GOAL,
      [{ type: "aws:ec2:instance" }, { type: "aws:elb:load-balancer" }, { type: "aws:rds:instance" }],
      [{ element: "monitoring", why: "no type offers it" }],
    );
    expect(notes).toEqual([
      "left out: monitoring (no type offers it)",
      expect.stringMatching(/^not planned: cache \(the goal asks for it/),
      expect.stringMatching(/^not planned: Redis /),
    ]);
  });

  it("is quiet when the spec covers every element, by type or by the image it runs", () => {
    const resources = [
      { type: "aws:ec2:instance" },
      { type: "aws:elb:load-balancer" },
      { type: "aws:rds:instance" },
      { type: "docker:container:run", properties: { image: "redis:7" } },
      { type: "aws:cloudwatch:alarm" },
    ];
    expect(modelPlanNotes(GOAL, resources)).toEqual([]);
  });

  it("says a platform no provider serves was not built on", () => {
    expect(
      modelPlanNotes("deploy my app on heroku with a postgres addon", [{ type: "aws:rds:instance" }]),
    ).toEqual(["the goal names Heroku, which no configured provider serves; nothing was built there"]);
  });

  it("puts the notes in the planner's summary and an event", () => {
    const report: { planner: { summary?: string } } = { planner: {} };
    const events: unknown[] = [];
    noteModelPlan(report, (event) => events.push(event), GOAL, {
      deployment: { name: "web", resources: [{ type: "aws:rds:instance", name: "db", properties: {} }] },
      notes: "one instance is enough",
    });
    expect(report.planner.summary).toMatch(
      /^Model plan: 1 resource in deployment "web"\.\nNotes:\n {2}- one instance/,
    );
    expect(report.planner.summary).toContain("not planned: a load balancer");
    expect(events).toEqual([{ type: "planner.understood", summary: report.planner.summary }]);
  });

  it("reads leftOut from a submission, keeping well-formed entries", () => {
    const reading = readSubmission({
      spec: { name: "x", resources: [] },
      leftOut: [{ element: "a cache", why: "no type" }, "a CDN", { why: "no element" }, 3],
    });
    expect(reading.leftOut).toEqual([
      { element: "a cache", why: "no type" },
      { element: "a CDN", why: "" },
    ]);
  });
});
