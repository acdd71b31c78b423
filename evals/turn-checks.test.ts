import { describe, expect, it } from "vitest";
import type { RunEvent } from "../agent/events.ts";
import type { GoalReport } from "../agent/run.ts";
import { checkExtras, checkTurn } from "./turn-checks.ts";

function report(extra: Partial<GoalReport> = {}): GoalReport {
  return {
    goal: "g",
    planner: { kind: "model", description: "scripted" },
    findings: { deployment: [], plan: [] },
    approved: true,
    attempts: [],
    recovery: [],
    modelCalls: [],
    tokens: { input: 5000, output: 400, cached: 0 },
    outcome: "succeeded",
    exitCode: 0,
    ...extra,
  };
}

const done = (name: string, action: "create" | "delete" | "replace"): RunEvent => ({
  type: "change.succeeded",
  name,
  action,
  durationMs: 1,
});

describe("turn and whole-run checks", () => {
  it("checks a turn's outcome, exit code, planned changes and a refresh's drift, naming the turn", () => {
    const plan = {
      deployment: "d",
      changes: [
        { name: "a", type: "t", action: "update" as const, diff: [] },
        { name: "b", type: "t", action: "noop" as const, diff: [] },
      ],
    };
    expect(
      checkTurn(
        "turns[3]",
        { outcome: "succeeded", exitCode: 0, changes: { update: 1, create: 0 } },
        report({ plan: plan as never }),
        undefined,
      ),
    ).toEqual([]);
    expect(
      checkTurn(
        "turns[1]",
        { outcome: "declined", changes: { create: 1 } },
        report({ plan: plan as never }),
        undefined,
      ),
    ).toEqual([
      "turns[1].outcome: expected declined, got succeeded",
      "turns[1].changes.create: expected 1, planned 0",
    ]);
    expect(
      checkTurn("turns[2]", { drift: [{ name: "dns", kind: "changed" }] }, undefined, [
        { name: "dns", type: "t", kind: "deleted", paths: [] },
      ]),
    ).toEqual(["turns[2].drift: expected [dns changed], found [dns deleted]"]);
    expect(checkTurn("turns[0]", { outcome: "succeeded" }, undefined, [])).toEqual([
      "turns[0]: expectations of a goal on a step that ran no goal",
    ]);
  });

  it("checks budgets, what reached the model, destruction and state against the world", async () => {
    const requests = [
      { messages: [{ content: 'say "hi"\n<provider-data source="x">secret-ish</provider-data>' }] },
    ];
    const failures = await checkExtras(
      {
        exitCode: 1,
        maxTokens: { input: 4000, output: 1000 },
        modelSaw: ['say "hi"', "never said"],
        modelNeverSaw: ["secret-ish"],
        maxDestructive: 0,
        stateMatchesWorld: true,
      },
      {
        reports: [report()],
        events: [done("a", "create"), done("db", "delete")],
        requests,
        stateAndWorld: async () => ({ state: ["t 1", "t 2"], world: ["t 1", "t 3"] }),
        approvals: [],
      },
    );
    expect(failures).toEqual([
      "exitCode: expected 1, got 0 (succeeded)",
      "maxTokens.input: expected at most 4000, used 5000",
      'modelSaw: no request to the model contained "never said" (1 requests)',
      'modelNeverSaw: 1 request(s) to the model contained "secret-ish"',
      "maxDestructive: expected at most 0, 1 done: db",
      "stateMatchesWorld: not in state: t 3; in state but gone: t 2",
    ]);
  });

  it("checks the world right after a turn, and the last plan's notes", () => {
    const world = [
      { type: "aws:rds:instance", id: "db-1", name: "db", properties: { engine: "postgres" }, outputs: {} },
    ];
    expect(
      checkTurn("turns[0]", { noResourcesOf: ["*"], stateMatchesWorld: true }, report(), undefined, {
        world,
        stateAndWorld: { state: [], world: ["aws:rds:instance db-1"] },
      }),
    ).toEqual([
      "turns[0].noResourcesOf: * exists: db (aws:rds:instance)",
      "turns[0].stateMatchesWorld: not in state: aws:rds:instance db-1",
    ]);
    expect(
      checkTurn("turns[1]", { resources: [{ type: "aws:rds:instance", count: 1 }] }, report(), undefined, {
        world,
      }),
    ).toEqual([]);
    expect(checkTurn("turns[2]", { noResourcesOf: ["*"] }, report(), undefined, undefined)).toEqual([
      "turns[2]: the world was not listed after this turn",
    ]);
  });

  it("finds wanted lines among the plan's notes", async () => {
    const planned = report({
      planner: {
        kind: "model",
        description: "scripted",
        summary:
          "Model plan: 1 resource.\nNotes:\n  - left out: monitoring (no type)\n  - not planned: cache (…)",
      },
    });
    const run = { reports: [planned], events: [], requests: [], stateAndWorld: undefined, approvals: [] };
    expect(
      await checkExtras({ plannerNotes: ["left out: monitoring (no type)", "/^not planned: cache/"] }, run),
    ).toEqual([]);
    const failures = await checkExtras({ plannerNotes: ["/^not planned: Redis/"] }, run);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^plannerNotes: no note matches/);
  });
});
