import { describe, expect, it } from "vitest";
import { caseRates, groupRates, passAtK, passHatK } from "./metrics.ts";
import type { EvalResult } from "./run-case.ts";

function run(id: string, planner: EvalResult["planner"], ok: boolean, category = "blueprint"): EvalResult {
  return {
    id,
    planner,
    run: 1,
    category,
    difficulty: "easy",
    ok,
    status: ok ? "pass" : "fail",
    durationMs: 1,
    failures: ok ? [] : ["x"],
    outcome: "succeeded",
    modelCalls: 0,
    tokens: { input: 0, output: 0, cached: 0 },
    retries: 0,
    rollbacks: 0,
  };
}

describe("pass rates", () => {
  it("computes the unbiased Pass@k and the all-k Pass^k estimators", () => {
    expect(passAtK(5, 0, 1)).toBe(0);
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4);
    // 1 - C(3,2)/C(5,2) = 1 - 3/10
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7);
    expect(passAtK(3, 1, 3)).toBe(1);
    // C(2,2)/C(5,2) = 1/10
    expect(passHatK(5, 2, 2)).toBeCloseTo(0.1);
    expect(passHatK(3, 3, 3)).toBe(1);
    expect(passHatK(3, 2, 3)).toBe(0);
    expect(passAtK(2, 1, 3)).toBeNaN();
  });

  it("groups runs per case and planner, then averages per category with each case counted once", () => {
    const results = [
      run("a", "live", true),
      run("a", "live", false),
      run("a", "live", true),
      run("b", "live", true, "drift"),
      run("b", "live", true, "drift"),
      run("b", "live", true, "drift"),
      run("a", "offline", true),
      { ...run("c", "offline", false), skipped: true as const, status: "skip" as const },
    ];
    const rates = caseRates(results, 3);
    expect(rates.find((rate) => rate.id === "a" && rate.planner === "live")).toMatchObject({
      n: 3,
      passed: 2,
      passAtK: 1,
      passHatK: 0,
    });
    expect(rates.find((rate) => rate.id === "a" && rate.planner === "offline")).toMatchObject({
      n: 1,
      passAtK: 1,
    });
    expect(rates.some((rate) => rate.id === "c")).toBe(false);
    const byPlanner = groupRates(rates, "planner");
    expect(byPlanner.map((group) => [group.key, group.cases])).toEqual([
      ["live", 2],
      ["offline", 1],
    ]);
    expect(byPlanner[0]!.passAt1).toBeCloseTo((2 / 3 + 1) / 2);
    expect(byPlanner[0]!.passHatK).toBeCloseTo(0.5);
    const byCategory = groupRates(rates, "category");
    expect(byCategory.map((group) => `${group.key}/${group.planner}`)).toEqual([
      "blueprint/live",
      "blueprint/offline",
      "drift/live",
    ]);
  });
});
