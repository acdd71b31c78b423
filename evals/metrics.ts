import type { EvalResult } from "./run-case.ts";

/** n·(n-1)·…/k!: how many ways to pick k of n. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let value = 1;
  for (let i = 1; i <= k; i++) value = (value * (n - k + i)) / i;
  return value;
}

/** The unbiased estimator of the chance that at least one of k tries passes, from n tries with c passes. */
export function passAtK(n: number, c: number, k: number): number {
  if (n === 0 || k > n) return Number.NaN;
  if (n - c < k) return 1;
  return 1 - choose(n - c, k) / choose(n, k);
}

/** The chance that all k tries pass (τ-bench's pass^k): consistency, not luck. */
export function passHatK(n: number, c: number, k: number): number {
  if (n === 0 || k > n) return Number.NaN;
  return choose(c, k) / choose(n, k);
}

export interface PassRates {
  /** Tries that ran (skipped ones are not tries). */
  n: number;
  passed: number;
  passAt1: number;
  passAtK: number;
  passHatK: number;
}

export interface CaseRates extends PassRates {
  id: string;
  planner: string;
  category: string;
}

export interface GroupRates {
  /** The category, or the planner. */
  key: string;
  planner: string;
  cases: number;
  passAt1: number;
  passAtK: number;
  passHatK: number;
}

/** Pass@1, Pass@k and Pass^k per case and planner (k = the repeat count, 1 without --repeat). */
export function caseRates(results: readonly EvalResult[], k: number): CaseRates[] {
  const groups = new Map<string, EvalResult[]>();
  for (const result of results) {
    if (result.skipped) continue;
    const key = `${result.id}\u0000${result.planner}`;
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  return [...groups.values()].map((runs) => {
    const first = runs[0]!;
    const n = runs.length;
    const c = runs.filter((run) => run.ok).length;
    const kk = Math.min(k, n);
    return {
      id: first.id,
      planner: first.planner,
      category: first.category,
      n,
      passed: c,
      passAt1: c / n,
      passAtK: passAtK(n, c, kk),
      passHatK: passHatK(n, c, kk),
    };
  });
}

/** The case rates averaged per category and planner (each case counts once, whatever its n). */
export function groupRates(rates: readonly CaseRates[], by: "category" | "planner"): GroupRates[] {
  const groups = new Map<string, CaseRates[]>();
  for (const rate of rates) {
    const key =
      by === "category" ? `${rate.category}\u0000${rate.planner}` : `${rate.planner}\u0000${rate.planner}`;
    groups.set(key, [...(groups.get(key) ?? []), rate]);
  }
  const mean = (list: CaseRates[], pick: (rate: CaseRates) => number) =>
    list.reduce((sum, rate) => sum + pick(rate), 0) / list.length;
  return [...groups.entries()]
    .map(([key, list]) => ({
      key: key.split("\u0000")[0]!,
      planner: list[0]!.planner,
      cases: list.length,
      passAt1: mean(list, (rate) => rate.passAt1),
      passAtK: mean(list, (rate) => rate.passAtK),
      passHatK: mean(list, (rate) => rate.passHatK),
    }))
    .sort((a, b) => a.key.localeCompare(b.key) || a.planner.localeCompare(b.planner));
}
