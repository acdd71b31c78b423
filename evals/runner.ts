import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunEvent } from "../agent/events.ts";
import { selectModel } from "../agent/llm/select.ts";
import type { LanguageModel } from "../agent/llm/types.ts";
import type { GoalOutcome, GoalReport } from "../agent/run.ts";
import { type EvalCase, expectationsFor, loadCases, MODEL_ONLY } from "./case-schema.ts";
import { checkExpectations } from "./matcher.ts";
import { openSandbox } from "./sandbox.ts";

export interface EvalResult {
  id: string;
  ok: boolean;
  /** Set when the case did not run; `reason` says why. */
  skipped?: true;
  reason?: string;
  durationMs: number;
  /** Each failed expectation, in words. */
  failures: string[];
  outcome: GoalOutcome | "error" | "skipped";
  modelCalls: number;
  tokens: { input: number; output: number; cached: number };
}

export interface EvalSummary {
  results: EvalResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** What planned: "offline planner" or the model's description. */
  planner: string;
  durationMs: number;
}

/** A model for one case; each case gets its own so that scripted turns or caches never leak across. */
export type ModelFactory = (evalCase: EvalCase) => { model: LanguageModel | undefined; description: string };

export interface RunEvalsOptions {
  /** Runs only the cases whose id or one of whose tags contains this text. */
  filter?: string;
  /** Where each case's temporary folder is made (default: the system's temp folder). */
  cwdBase?: string;
  /** Plan with the model the environment names (ANTHROPIC_API_KEY, OPENAI_API_KEY, MCP_IAC_MODEL); otherwise offline. */
  modelFromEnv?: boolean;
  /** The model name, as `--model` gives it; only with modelFromEnv. */
  modelName?: string;
  /** Overrides modelFromEnv: the model each case plans with (tests pass scripted models). */
  modelFor?: ModelFactory;
  /** Case files (default evals/cases). */
  casesDir?: string;
  /** Cases to run instead of reading casesDir. */
  cases?: EvalCase[];
  /** Keep each case's folder for inspection (its path is in the result's reason on failure). */
  keep?: boolean;
  /** Called after each case, in order. */
  onResult?(result: EvalResult): void;
  /** Where the PASS/FAIL/SKIP lines and the closing count go (default stdout); false prints nothing. */
  print?: ((line: string) => void) | false;
}

const DEFAULT_TIMEOUT_S = 120;

export function matchesFilter(evalCase: EvalCase, filter: string | undefined): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [evalCase.id, ...evalCase.tags].some((text) => text.toLowerCase().includes(needle));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `PASS id (1.2s, 0 model calls)`, `FAIL id: …` (one failure per line), `SKIP id: reason`. */
export function formatResult(result: EvalResult): string[] {
  if (result.skipped) return [`SKIP ${result.id}: ${result.reason ?? "skipped"}`];
  const calls = `${result.modelCalls} model call${result.modelCalls === 1 ? "" : "s"}`;
  if (result.ok) return [`PASS ${result.id} (${seconds(result.durationMs)}, ${calls})`];
  const kept = result.reason ? [`  (${result.reason})`] : [];
  if (result.failures.length === 1) return [`FAIL ${result.id}: ${result.failures[0]}`, ...kept];
  return [
    `FAIL ${result.id}: ${result.failures.length} expectations failed (${seconds(result.durationMs)}, ${calls})`,
    ...result.failures.map((failure) => `  - ${failure}`),
    ...kept,
  ];
}

/** Exactly `N passed, N failed`, plus `, N skipped` when any were. */
export function formatSummary(summary: Pick<EvalSummary, "passed" | "failed" | "skipped">): string {
  return `${summary.passed} passed, ${summary.failed} failed${summary.skipped > 0 ? `, ${summary.skipped} skipped` : ""}`;
}

function modelFactory(options: RunEvalsOptions): { factory: ModelFactory; description: string } {
  if (options.modelFor) return { factory: options.modelFor, description: "models given by the caller" };
  if (!options.modelFromEnv) {
    return {
      factory: () => ({ model: undefined, description: "offline planner" }),
      description: "offline planner",
    };
  }
  // Selected once up front, so a missing key is one clear error, not one per case.
  const first = selectModel(undefined, process.env, options.modelName ? { model: options.modelName } : {});
  return {
    factory: () => selectModel(undefined, process.env, options.modelName ? { model: options.modelName } : {}),
    description: first.model ? first.description : "offline planner",
  };
}

/**
 * Runs the eval cases: each in its own temporary folder with fresh mock worlds, state and memory,
 * through the same `runGoal` as `agent "<goal>"`, then checks what exists afterwards.
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
  const { factory, description } = modelFactory(options);
  const results: EvalResult[] = [];
  if (cases.length > 0)
    print(`Running ${cases.length} eval case${cases.length === 1 ? "" : "s"} (${description})`);
  for (const evalCase of cases) {
    const result = await runCase(evalCase, factory, options);
    results.push(result);
    for (const line of formatResult(result)) print(line);
    options.onResult?.(result);
  }
  const summary: EvalSummary = {
    results,
    passed: results.filter((result) => result.ok).length,
    failed: results.filter((result) => !result.ok && !result.skipped).length,
    skipped: results.filter((result) => result.skipped).length,
    planner: description,
    durationMs: Math.round(performance.now() - started),
  };
  print(formatSummary(summary));
  return summary;
}

async function runCase(
  evalCase: EvalCase,
  factory: ModelFactory,
  options: RunEvalsOptions,
): Promise<EvalResult> {
  const started = performance.now();
  const { model, description } = factory(evalCase);
  const base: Omit<EvalResult, "ok" | "failures" | "outcome" | "durationMs"> = {
    id: evalCase.id,
    modelCalls: 0,
    tokens: { input: 0, output: 0, cached: 0 },
  };
  if (!model && evalCase.tags.includes(MODEL_ONLY)) {
    return {
      ...base,
      ok: false,
      skipped: true,
      reason: "model-only: the offline planner serves (set ANTHROPIC_API_KEY or OPENAI_API_KEY to run it)",
      durationMs: 0,
      failures: [],
      outcome: "skipped",
    };
  }
  if (options.cwdBase) mkdirSync(options.cwdBase, { recursive: true });
  const dir = mkdtempSync(join(options.cwdBase ?? tmpdir(), `mcp-iac-eval-${evalCase.id}-`));
  const events: RunEvent[] = [];
  const sandbox = openSandbox({
    dir,
    ...(evalCase.faults ? { env: evalCase.faults } : {}),
    model,
    modelDescription: description,
    emit: (event) => events.push(event),
  });
  const limitMs = (evalCase.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const reports: GoalReport[] = [];
  let failures: string[];
  let outcome: EvalResult["outcome"];
  try {
    const work = (async () => {
      if (evalCase.setup) await sandbox.applySetup(evalCase.setup);
      const firstEvents = events.length;
      reports.push(await sandbox.runGoal(evalCase.goal));
      const runEvents = events.slice(firstEvents);
      if (evalCase.repeat) reports.push(await sandbox.runGoal(evalCase.goal));
      const [report, second] = reports as [GoalReport, GoalReport | undefined];
      const expect = expectationsFor(evalCase, model !== undefined);
      const deployment = expect.deploymentName ?? report.spec?.name ?? evalCase.setup?.name;
      const world = await sandbox.world(deployment);
      return {
        outcome: (second ?? report).outcome,
        failures: checkExpectations(expect, {
          report,
          events: runEvents,
          world,
          ...(second ? { second } : {}),
        }),
      };
    })();
    // After a timeout the abandoned run fails once its servers close; that failure is already reported.
    work.catch(() => {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the case did not finish within ${limitMs / 1000}s`)),
        limitMs,
      );
    });
    ({ failures, outcome } = await Promise.race([work, timeout]));
  } catch (error) {
    failures = [`error: ${error instanceof Error ? error.message : String(error)}`];
    outcome = "error";
  } finally {
    clearTimeout(timer);
    await sandbox.close();
  }
  const ok = failures.length === 0;
  // A failed case keeps its folder (state, memory, mock worlds) for a look; a passed one is removed.
  if (ok && !options.keep) rmSync(dir, { recursive: true, force: true });
  for (const report of reports) {
    base.modelCalls += report.modelCalls.length;
    base.tokens.input += report.tokens.input;
    base.tokens.output += report.tokens.output;
    base.tokens.cached += report.tokens.cached;
  }
  return {
    ...base,
    ok,
    durationMs: Math.round(performance.now() - started),
    failures,
    outcome,
    ...(ok && !options.keep ? {} : { reason: `folder kept: ${dir}` }),
  };
}
