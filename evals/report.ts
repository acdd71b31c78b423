import { readFileSync } from "node:fs";
import { IacError } from "../agent/errors.ts";
import type { GroupRates } from "./metrics.ts";
import type { EvalResult, EvalSummary } from "./runner.ts";
import { formatSummary } from "./runner.ts";

/** The `--json` document: the summary, the rates and every run. */
export function reportDocument(summary: EvalSummary, exitCode: number) {
  return {
    command: "eval",
    version: 2,
    planner: summary.planner,
    planners: summary.planners,
    repeat: summary.repeat,
    summary: formatSummary(summary),
    passed: summary.passed,
    failed: summary.failed,
    skipped: summary.skipped,
    knownGaps: summary.knownGaps,
    durationMs: summary.durationMs,
    byPlanner: summary.byPlanner,
    byCategory: summary.byCategory,
    rates: summary.rates,
    results: summary.results,
    exitCode,
  };
}
export type ReportDocument = ReturnType<typeof reportDocument>;

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

const STATUS_WORD: Record<EvalResult["status"], string> = {
  pass: "pass",
  fail: "FAIL",
  skip: "skip",
  "known-gap": "gap",
};

/** The terminal table: one row per run, then pass rates per planner and category. */
export function formatTable(summary: EvalSummary): string[] {
  const header = [
    "case",
    "planner",
    "pass",
    "time",
    "calls",
    "tok in",
    "out",
    "cached",
    "retries",
    "rollbacks",
  ];
  const rows = summary.results.map((result) => [
    result.run > 1 ? `${result.id} #${result.run}` : result.id,
    result.planner,
    STATUS_WORD[result.status],
    `${(result.durationMs / 1000).toFixed(1)}s`,
    String(result.modelCalls),
    String(result.tokens.input),
    String(result.tokens.output),
    String(result.tokens.cached),
    String(result.retries),
    String(result.rollbacks),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => pad(cell, widths[column]!, column >= 3)).join("  ");
  const out = [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)];
  out.push("", ...formatRates("planner", summary.byPlanner, summary.repeat));
  out.push("", ...formatRates("category", summary.byCategory, summary.repeat));
  return out;
}

function percent(value: number): string {
  return Number.isNaN(value) ? "-" : `${Math.round(value * 100)}%`;
}

function formatRates(title: string, groups: GroupRates[], k: number): string[] {
  // With one run per case Pass@k and Pass^k equal Pass@1; they are shown only for --repeat.
  const perCategory = title === "category";
  const header = [
    title,
    ...(perCategory ? ["planner"] : []),
    "cases",
    "Pass@1",
    ...(k > 1 ? [`Pass@${k}`, `Pass^${k}`] : []),
  ];
  const rows = groups.map((group) => [
    group.key,
    ...(perCategory ? [group.planner] : []),
    String(group.cases),
    percent(group.passAt1),
    ...(k > 1 ? [percent(group.passAtK), percent(group.passHatK)] : []),
  ]);
  const widths = header.map((head, column) =>
    Math.max(head.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => pad(cell, widths[column]!, column >= 2)).join("  ");
  return [line(header), ...rows.map(line)];
}

/** Reads a `--json` report for `--compare`; a wrong file is a clear usage error. */
export function readReport(file: string): ReportDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new IacError(
      "EVAL_REPORT_INVALID",
      `${file} cannot be read as an eval report: ${(error as Error).message}`,
      {
        exitCode: 2,
        hint: "write one with `agent eval --json > FILE`",
      },
    );
  }
  const document = parsed as Partial<ReportDocument>;
  if (document.command !== "eval" || !Array.isArray(document.results)) {
    throw new IacError(
      "EVAL_REPORT_INVALID",
      `${file} is not an \`agent eval --json\` report (no command: eval, results)`,
      {
        exitCode: 2,
        hint: "write one with `agent eval --json > FILE`",
      },
    );
  }
  return document as ReportDocument;
}

export interface Comparison {
  better: string[];
  worse: string[];
  added: string[];
  removed: string[];
  lines: string[];
}

/** What got better or worse from report A to report B, per case and planner (pass rate, tokens, time). */
export function compareReports(a: ReportDocument, b: ReportDocument): Comparison {
  const key = (result: EvalResult) => `${result.id} [${result.planner}]`;
  const group = (document: ReportDocument) => {
    const map = new Map<string, EvalResult[]>();
    for (const result of document.results) {
      if (result.skipped) continue;
      map.set(key(result), [...(map.get(key(result)) ?? []), result]);
    }
    return map;
  };
  const before = group(a);
  const after = group(b);
  const rate = (runs: EvalResult[]) => runs.filter((run) => run.ok).length / runs.length;
  const sum = (runs: EvalResult[], pick: (run: EvalResult) => number) =>
    runs.reduce((total, run) => total + pick(run), 0) / runs.length;
  const comparison: Comparison = { better: [], worse: [], added: [], removed: [], lines: [] };
  for (const [name, runs] of after) {
    const earlier = before.get(name);
    if (!earlier) {
      comparison.added.push(name);
      continue;
    }
    const delta = rate(runs) - rate(earlier);
    const tokens =
      sum(runs, (run) => run.tokens.input + run.tokens.output) -
      sum(earlier, (run) => run.tokens.input + run.tokens.output);
    const tokenNote = tokens === 0 ? "" : `, tokens ${tokens > 0 ? "+" : ""}${Math.round(tokens)}`;
    if (delta > 0)
      comparison.better.push(`${name}: pass ${percent(rate(earlier))} -> ${percent(rate(runs))}${tokenNote}`);
    if (delta < 0)
      comparison.worse.push(`${name}: pass ${percent(rate(earlier))} -> ${percent(rate(runs))}${tokenNote}`);
  }
  for (const name of before.keys()) if (!after.has(name)) comparison.removed.push(name);
  const section = (title: string, list: string[]) =>
    list.length > 0 ? [`${title} (${list.length}):`, ...list.map((item) => `  ${item}`)] : [];
  comparison.lines = [
    `A: ${a.summary} (${(a.durationMs / 1000).toFixed(0)}s)   B: ${b.summary} (${(b.durationMs / 1000).toFixed(0)}s)`,
    ...section("better", comparison.better),
    ...section("worse", comparison.worse),
    ...section("only in B", comparison.added),
    ...section("only in A", comparison.removed),
  ];
  if (comparison.better.length + comparison.worse.length === 0)
    comparison.lines.push("no case changed its pass rate");
  return comparison;
}
