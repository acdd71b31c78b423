import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { recordCalls } from "../agent/llm/recording.ts";
import { selectModel } from "../agent/llm/select.ts";
import type { LanguageModel } from "../agent/llm/types.ts";
import type { PlannerKind } from "./case-fields.ts";
import { loadCases } from "./case-loader.ts";
import type { EvalCase } from "./case-schema.ts";
import { type CaseRates, caseRates, type GroupRates, groupRates } from "./metrics.ts";
import { type EvalResult, type LiveModelFactory, runCase } from "./run-case.ts";

export type { EvalResult } from "./run-case.ts";

export interface EvalSummary {
  results: EvalResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Failed as their case's `knownGap` says they would; not counted as failed. */
  knownGaps: number;
  /** What planned, per planner that ran: "offline planner", the live model's description... */
  planner: string;
  planners: PlannerKind[];
  /** Runs per live case (--repeat). */
  repeat: number;
  durationMs: number;
  rates: CaseRates[];
  byCategory: GroupRates[];
  byPlanner: GroupRates[];
}

/** A live model per case (tests pass scripted models here). */
export type ModelFactory = (evalCase: EvalCase) => { model: LanguageModel | undefined; description: string };

export interface RunEvalsOptions {
  /** Runs only the cases whose id, category or one of whose tags contains this text. */
  filter?: string;
  /** Where each case's temporary folder is made (default: the system's temp folder). */
  cwdBase?: string;
  /** The planners to run (default scripted and offline, plus live when a model is configured). */
  planners?: PlannerKind[];
  /** Plan live with the model the environment names (ANTHROPIC_API_KEY, OPENAI_API_KEY, base URLs). */
  modelFromEnv?: boolean;
  /** The model name, as `--model` gives it; only with modelFromEnv. */
  modelName?: string;
  /** Overrides modelFromEnv: the live model each case plans with. */
  modelFor?: ModelFactory;
  /** Runs of each live case (Pass@k, Pass^k); scripted and offline runs are deterministic and run once. */
  repeat?: number;
  /** Cases run side by side (default 2: each starts its own provider processes). */
  parallel?: number;
  /** Live conversations are written here as JSONL, each beside a case.yaml that replays it scripted. */
  recordDir?: string;
  /** Case folders (default evals/cases). */
  casesDir?: string;
  /** Cases to run instead of reading casesDir. */
  cases?: EvalCase[];
  /** Keep each case's folder for inspection (its path is in the result's reason on failure). */
  keep?: boolean;
  /** Called after each case, in the order they finish. */
  onResult?(result: EvalResult): void;
  /** Where the PASS/FAIL/SKIP lines and the closing count go (default stdout); false prints nothing. */
  print?: ((line: string) => void) | false;
  /** false: the caller prints the closing count itself (after its table). */
  closingLine?: boolean;
}

export function matchesFilter(evalCase: EvalCase, filter: string | undefined): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [evalCase.id, evalCase.category, ...evalCase.tags].some((text) =>
    text.toLowerCase().includes(needle),
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `PASS id [planner] (1.2s, 0 model calls)`, `FAIL id [planner]: …`, `GAP …`, `SKIP id: reason`. */
export function formatResult(result: EvalResult): string[] {
  const name = `${result.id} [${result.planner}${result.run > 1 ? ` #${result.run}` : ""}]`;
  if (result.skipped) return [`SKIP ${name}: ${result.reason ?? "skipped"}`];
  const calls = `${result.modelCalls} model call${result.modelCalls === 1 ? "" : "s"}`;
  if (result.ok) {
    const news = result.knownGap ? " — its known gap now holds: drop knownGap from the case" : "";
    return [`PASS ${name} (${seconds(result.durationMs)}, ${calls})${news}`];
  }
  const kept = result.reason ? [`  (${result.reason})`] : [];
  const word = result.status === "known-gap" ? "GAP " : "FAIL";
  const head = result.status === "known-gap" ? `${word} ${name}: known gap: ${result.knownGap}` : undefined;
  if (head) return [head, ...result.failures.map((failure) => `  - ${failure}`)];
  if (result.failures.length === 1) return [`${word} ${name}: ${result.failures[0]}`, ...kept];
  return [
    `${word} ${name}: ${result.failures.length} expectations failed (${seconds(result.durationMs)}, ${calls})`,
    ...result.failures.map((failure) => `  - ${failure}`),
    ...kept,
  ];
}

/** Exactly `N passed, N failed`, plus `, N skipped` when any were. */
export function formatSummary(summary: Pick<EvalSummary, "passed" | "failed" | "skipped">): string {
  return `${summary.passed} passed, ${summary.failed} failed${summary.skipped > 0 ? `, ${summary.skipped} skipped` : ""}`;
}

interface LiveSetup {
  factory: LiveModelFactory | undefined;
  description: string;
}

function liveSetup(options: RunEvalsOptions): LiveSetup {
  if (options.modelFor) {
    const given = options.modelFor;
    return {
      factory: (evalCase) => ({ ...given(evalCase), requests: [] }),
      description: "models given by the caller",
    };
  }
  if (!options.modelFromEnv) return { factory: undefined, description: "no live model" };
  const flags = options.modelName ? { model: options.modelName } : {};
  // A base URL alone (a local OpenAI-compatible server, no key) also makes a live model here.
  const baseURL = process.env["OPENAI_BASE_URL"]?.trim();
  const keyless = !process.env["ANTHROPIC_API_KEY"]?.trim() && !process.env["OPENAI_API_KEY"]?.trim();
  const config = keyless && baseURL ? { provider: "openai" as const, baseURL } : undefined;
  // Selected once up front, so a missing key is one clear error, not one per case.
  const first = selectModel(config, process.env, flags);
  if (!first.model) return { factory: undefined, description: first.description };
  return {
    description: first.description,
    factory: (evalCase, runIndex) => {
      const selected = selectModel(config, process.env, flags);
      let model = selected.model!;
      if (options.recordDir) {
        const folder = join(options.recordDir, `${evalCase.id}-live-${runIndex}`);
        writeReplayCase(evalCase, folder, model.provider === "anthropic" ? "anthropic" : "openai");
        // The requests reach this wrapper already scrubbed by the run's guard (agent/model-guard.ts).
        model = recordCalls(model, () => {}, { jsonlFile: join(folder, "conversation.jsonl") });
      }
      return { model, description: selected.description, requests: [] };
    },
  };
}

/** A case folder that replays a recorded live conversation with the scripted planner. */
function writeReplayCase(evalCase: EvalCase, folder: string, wire: "openai" | "anthropic"): void {
  mkdirSync(folder, { recursive: true });
  const original = parse(readFileSync(evalCase.file, "utf8")) as Record<string, unknown>;
  delete original["id"];
  const replay = {
    ...original,
    description: `Replays a live run of ${evalCase.id}. ${String(original["description"] ?? "")}`.trim(),
    planners: ["scripted"],
    model: { wire, recording: "conversation.jsonl" },
  };
  writeFileSync(join(folder, "case.yaml"), stringify(replay));
}

/** Runs `jobs` with at most `limit` at a time, keeping the input order in the result. */
async function pool<T, R>(jobs: T[], limit: number, work: (job: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await work(jobs[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Runs the eval cases with each planner that applies: each run in its own temporary folder with
 * fresh stdio mock providers, state and memory, through the same `runGoal` as `agent "<goal>"`,
 * then checks what exists afterwards.
 */
export async function runEvals(options: RunEvalsOptions = {}): Promise<EvalSummary> {
  const started = performance.now();
  const print =
    options.print === false
      ? () => {}
      : (options.print ?? ((line: string) => process.stdout.write(`${line}\n`)));
  const cases = (options.cases ?? loadCases(options.casesDir)).filter((evalCase) =>
    matchesFilter(evalCase, options.filter),
  );
  const live = liveSetup(options);
  const planners: PlannerKind[] =
    options.planners ?? (live.factory ? ["scripted", "offline", "live"] : ["scripted", "offline"]);
  const repeat = Math.max(1, options.repeat ?? 1);
  const jobs: { evalCase: EvalCase; planner: PlannerKind; run: number }[] = [];
  for (const evalCase of cases) {
    for (const planner of planners) {
      if (!evalCase.planners.includes(planner)) continue;
      const runs = planner === "live" ? repeat : 1;
      for (let run = 1; run <= runs; run++) jobs.push({ evalCase, planner, run });
    }
  }
  const described = planners.map((planner) => (planner === "live" ? `live: ${live.description}` : planner));
  if (jobs.length > 0)
    print(
      `Running ${jobs.length} eval run${jobs.length === 1 ? "" : "s"} of ${cases.length} cases (${described.join(", ")})`,
    );
  const results = await pool(jobs, options.parallel ?? 2, async ({ evalCase, planner, run }) => {
    const result =
      planner === "live" && !live.factory
        ? skippedResult(evalCase, planner, `no live model: ${live.description}`)
        : await runCase(evalCase, planner, run, {
            ...(options.cwdBase ? { cwdBase: options.cwdBase } : {}),
            ...(options.keep ? { keep: true } : {}),
            ...(live.factory ? { live: live.factory } : {}),
          });
    for (const line of formatResult(result)) print(line);
    options.onResult?.(result);
    return result;
  });
  const rates = caseRates(results, repeat);
  const summary: EvalSummary = {
    results,
    passed: results.filter((result) => result.status === "pass").length,
    failed: results.filter((result) => result.status === "fail").length,
    skipped: results.filter((result) => result.status === "skip").length,
    knownGaps: results.filter((result) => result.status === "known-gap").length,
    planner: described.join(", "),
    planners,
    repeat,
    durationMs: Math.round(performance.now() - started),
    rates,
    byCategory: groupRates(rates, "category"),
    byPlanner: groupRates(rates, "planner"),
  };
  if (summary.knownGaps > 0)
    print(
      `${summary.knownGaps} known gap${summary.knownGaps === 1 ? "" : "s"} (failed as their cases say; not counted)`,
    );
  if (options.closingLine !== false) print(formatSummary(summary));
  return summary;
}

function skippedResult(evalCase: EvalCase, planner: PlannerKind, reason: string): EvalResult {
  return {
    id: evalCase.id,
    planner,
    run: 1,
    category: evalCase.category,
    difficulty: evalCase.difficulty,
    ok: false,
    status: "skip",
    skipped: true,
    reason,
    durationMs: 0,
    failures: [],
    outcome: "skipped",
    modelCalls: 0,
    tokens: { input: 0, output: 0, cached: 0 },
    retries: 0,
    rollbacks: 0,
  };
}
