import { describe, expect, it } from "vitest";
import { IacError } from "../../agent/errors.ts";
import type { GoalReport } from "../../agent/run.ts";
import { errorEntries, outcomeEntries } from "./outcome.ts";

function report(overrides: Partial<GoalReport>): GoalReport {
  return {
    goal: "a vpc",
    planner: { kind: "offline", description: "offline planner" },
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

describe("the outcome line", () => {
  it("says Done, with the token count when a model served", () => {
    expect(outcomeEntries(report({}))).toEqual([{ kind: "line", text: "Done.", tone: "green", bold: true }]);
    const call = {
      purpose: "plan",
      provider: "anthropic",
      model: "m",
      inputTokens: 1200,
      outputTokens: 300,
      cachedInputTokens: 1000,
      cacheWriteTokens: 0,
      latencyMs: 5,
    };
    const [line] = outcomeEntries(
      report({
        planner: { kind: "model", description: "m" },
        modelCalls: [call],
        tokens: { input: 1200, output: 300, cached: 1000 },
      }),
    );
    expect(line).toMatchObject({ text: "Done. Model: 1 call(s), 1200 tokens in (1000 cached), 300 out." });
  });

  it("gives the reason of a run that did not succeed", () => {
    const [line] = outcomeEntries(
      report({ outcome: "blocked", reason: "blocked by 1 mandatory policy", exitCode: 3 }),
    );
    expect(line).toMatchObject({ text: "Blocked: blocked by 1 mandatory policy", tone: "red" });
  });

  it("shows a known error's message and hint, no stack", () => {
    const error = new IacError("LOCKED", "shop is locked by another run", {
      hint: "wait, or --force-unlock",
    });
    expect(errorEntries(error)).toEqual([
      { kind: "line", text: "Error: shop is locked by another run", tone: "red" },
      { kind: "line", text: "wait, or --force-unlock", tone: "gray" },
    ]);
  });
});
