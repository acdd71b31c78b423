import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Drift } from "../agent/engine/refresh.ts";
import type { RunEvent } from "../agent/events.ts";
import { snapshotRequest } from "../agent/llm/scripted.ts";
import type { LanguageModel } from "../agent/llm/types.ts";
import type { GoalOutcome, GoalReport } from "../agent/run.ts";
import type { PlannerKind, Turn, TurnExpect } from "./case-fields.ts";
import type { SandboxPrefix } from "./case-schema.ts";
import { type EvalCase, expectationsFor } from "./case-schema.ts";
import { checkExpectations } from "./matcher.ts";
import { openSandbox, type Sandbox } from "./sandbox.ts";
import { startScriptedModel } from "./scripted-model.ts";
import { checkExtras, checkTurn, type TurnWorld } from "./turn-checks.ts";

const run = promisify(execFile);

export type EvalStatus = "pass" | "fail" | "skip" | "known-gap";

export interface EvalResult {
  id: string;
  planner: PlannerKind;
  /** 1..k for a live case run k times; 1 otherwise. */
  run: number;
  category: string;
  difficulty: string;
  /** Every expectation held. */
  ok: boolean;
  status: EvalStatus;
  /** Set when the case did not run; `reason` says why. */
  skipped?: true;
  reason?: string;
  /** The case's known gap, when it has one. */
  knownGap?: string;
  durationMs: number;
  /** Each failed expectation, in words. */
  failures: string[];
  outcome: GoalOutcome | "error" | "skipped";
  exitCode?: number;
  modelCalls: number;
  tokens: { input: number; output: number; cached: number };
  /** Changes the engine retried on its own, plus recovery's retry decisions. */
  retries: number;
  /** Recovery rollbacks, and runs that ended rolled back. */
  rollbacks: number;
}

/** Where a case's model comes from, per planner; undefined: the planner does not apply here. */
export interface CaseModel {
  model: LanguageModel | undefined;
  description: string;
  /** Every request as it left for the model, for modelSaw / modelNeverSaw. */
  requests: unknown[];
  close?(): Promise<void>;
}

export type LiveModelFactory = (evalCase: EvalCase, runIndex: number) => CaseModel;

export interface RunCaseOptions {
  cwdBase?: string;
  keep?: boolean;
  live?: LiveModelFactory;
}

// Generous: it only abandons a hung run; a loaded machine must not fail a case on time.
const DEFAULT_TIMEOUT_S = 300;

/** A model whose requests are kept (as the guard scrubbed them), for what-the-model-saw checks. */
export function capturing(model: LanguageModel, requests: unknown[]): LanguageModel {
  return {
    provider: model.provider,
    model: model.model,
    generate(request) {
      requests.push(snapshotRequest(request));
      return model.generate(request);
    },
  };
}

async function modelFor(
  evalCase: EvalCase,
  planner: PlannerKind,
  runIndex: number,
  options: RunCaseOptions,
): Promise<CaseModel> {
  if (planner === "offline") return { model: undefined, description: "offline planner", requests: [] };
  if (planner === "scripted") {
    if (!evalCase.model) throw new Error("the scripted planner needs model turns in the case");
    const scripted = await startScriptedModel(evalCase.model, dirname(evalCase.file));
    return { ...scripted, close: scripted.close };
  }
  if (!options.live) throw new Error("no live model is configured");
  return options.live(evalCase, runIndex);
}

interface Observed {
  reports: GoalReport[];
  /** Per step: the goal report, or the drift a refresh found. */
  steps: {
    turn: Turn;
    report?: GoalReport;
    drift?: Drift[];
    events: RunEvent[];
    /** What the providers listed right after the turn, when its expectations look at the world. */
    after?: TurnWorld;
  }[];
}

/** The world right after a turn whose expectations ask about it. */
async function worldAfter(turn: Turn, report: GoalReport | undefined, sandbox: Sandbox) {
  const expect = "expect" in turn ? turn.expect : undefined;
  if (!expect || (!expect.resources && !expect.noResourcesOf && !expect.stateMatchesWorld)) return undefined;
  const deployment =
    report?.spec?.name ?? ("destroy" in turn ? turn.destroy : "refresh" in turn ? turn.refresh : undefined);
  if (!deployment) return { world: [] };
  return {
    world: await sandbox.world(deployment),
    ...(expect.stateMatchesWorld ? { stateAndWorld: await sandbox.stateAndWorld(deployment) } : {}),
  };
}

async function runSteps(evalCase: EvalCase, sandbox: Sandbox, events: RunEvent[]): Promise<Observed> {
  const observed: Observed = { reports: [], steps: [] };
  for (const turn of evalCase.steps) {
    const first = events.length;
    const step: Observed["steps"][number] = { turn, events: [] };
    if ("goal" in turn) {
      step.report = await sandbox.runGoal(turn.goal);
      observed.reports.push(step.report);
    } else if ("destroy" in turn) await sandbox.destroy(turn.destroy);
    else if ("refresh" in turn) step.drift = await sandbox.refresh(turn.refresh);
    else await sandbox.drift(turn.drift.deployment, turn.drift.resource, turn.drift.set);
    step.events = events.slice(first);
    const after = await worldAfter(turn, step.report, sandbox);
    if (after) step.after = after;
    observed.steps.push(step);
  }
  return observed;
}

async function script(path: string | undefined, dir: string, evalCase: EvalCase, planner: string) {
  if (!path) return;
  try {
    await run("bash", [path], {
      cwd: dir,
      timeout: 60_000,
      env: {
        ...process.env,
        EVAL_CASE_DIR: dirname(evalCase.file),
        EVAL_WORK_DIR: dir,
        EVAL_PLANNER: planner,
        // What a background process it starts (an emulator) watches, to end with this run.
        EVAL_RUNNER_PID: String(process.pid),
        // The Node that runs the suite, for scripts that start TypeScript (no npx lookup per case).
        EVAL_NODE: process.execPath,
      },
    });
  } catch (error) {
    const failed = error as { code?: number; stderr?: string; message: string };
    const tail = (failed.stderr ?? "").trim().split("\n").slice(-3).join(" | ");
    if (failed.code === SKIP_EXIT) throw new CaseSkipped(tail || "the setup script skipped the case");
    throw new Error(
      `${path.split("/").slice(-2).join("/")} failed (exit ${failed.code ?? "?"})${tail ? `: ${tail}` : ""}`,
    );
  }
}

/** A script's exit status that means "cannot run here" (automake's convention), not a failure. */
const SKIP_EXIT = 77;

class CaseSkipped extends Error {}

/** The real providers' environment the case's setup.sh wrote for its emulators (test/emulators/launch.ts). */
function emulatorEnv(
  evalCase: EvalCase,
  dir: string,
): Partial<Record<SandboxPrefix, Record<string, string>>> {
  if (!evalCase.emulators) return {};
  const file = join(dir, "emulators.json");
  if (!existsSync(file)) throw new Error("setup.sh started no emulators: emulators.json is missing");
  const env = JSON.parse(readFileSync(file, "utf8")) as Partial<
    Record<SandboxPrefix, Record<string, string>>
  >;
  const missing = evalCase.emulators.filter((prefix) => !env[prefix]);
  if (missing.length > 0) throw new Error(`emulators.json has no environment for ${missing.join(", ")}`);
  return Object.fromEntries(evalCase.emulators.map((prefix) => [prefix, env[prefix]!]));
}

function freshResult(evalCase: EvalCase, planner: PlannerKind, runIndex: number): EvalResult {
  return {
    id: evalCase.id,
    planner,
    run: runIndex,
    category: evalCase.category,
    difficulty: evalCase.difficulty,
    ok: false,
    status: "fail",
    ...(evalCase.knownGap ? { knownGap: evalCase.knownGap } : {}),
    durationMs: 0,
    failures: [],
    outcome: "error",
    modelCalls: 0,
    tokens: { input: 0, output: 0, cached: 0 },
    retries: 0,
    rollbacks: 0,
  };
}

/** A run whose setup script said it cannot run here. */
function skipped(result: EvalResult, reason: string, started: number): EvalResult {
  return {
    ...result,
    ok: false,
    status: "skip",
    skipped: true,
    reason,
    failures: [],
    outcome: "skipped",
    durationMs: Math.round(performance.now() - started),
  };
}

function errorFailures(error: unknown, events: readonly RunEvent[]): string[] {
  const failures = [`error: ${error instanceof Error ? error.message : String(error)}`];
  // A script that ran out usually follows a rejected submission: say what the planner was told.
  const rejected = events.findLast(
    (event) => event.type === "planner.submission" && event.messages.length > 0,
  );
  if (rejected?.type === "planner.submission")
    failures.push(`the last submission was rejected: ${rejected.messages.join("; ")}`);
  return failures;
}

/** One case with one planner, in its own folder with its own providers, state and memory. */
export async function runCase(
  evalCase: EvalCase,
  planner: PlannerKind,
  runIndex: number,
  options: RunCaseOptions,
): Promise<EvalResult> {
  const started = performance.now();
  const result = freshResult(evalCase, planner, runIndex);
  if (options.cwdBase) mkdirSync(options.cwdBase, { recursive: true });
  const dir = mkdtempSync(join(options.cwdBase ?? tmpdir(), `mcp-iac-eval-${evalCase.id}-`));
  const events: RunEvent[] = [];
  let caseModel: CaseModel | undefined;
  let sandbox: Sandbox | undefined;
  let timer: NodeJS.Timeout | undefined;
  let observed: Observed | undefined;
  let skippedBecause: string | undefined;
  try {
    caseModel = await modelFor(evalCase, planner, runIndex, options);
    const requests = caseModel.requests;
    const model =
      caseModel.model && planner === "live" ? capturing(caseModel.model, requests) : caseModel.model;
    await script(evalCase.scripts.setup, dir, evalCase, planner);
    const box = openSandbox({
      dir,
      real: emulatorEnv(evalCase, dir),
      ...(evalCase.faults ? { env: evalCase.faults } : {}),
      ...(evalCase.providers ? { providers: evalCase.providers } : {}),
      ...(evalCase.world ? { world: evalCase.world } : {}),
      ...(evalCase.memory ? { memory: evalCase.memory } : {}),
      approve: evalCase.approve,
      model,
      modelDescription: caseModel.description,
      emit: (event) => events.push(event),
    });
    sandbox = box;
    const limitMs = (evalCase.timeoutSeconds ?? DEFAULT_TIMEOUT_S) * 1000;
    const work = (async () => {
      if (evalCase.setup) await box.applySetup(evalCase.setup);
      observed = await runSteps(evalCase, box, events);
      return judge(evalCase, planner, box, observed, requests, dir);
    })();
    // After a timeout the abandoned run fails once its servers close; that failure is already reported.
    work.catch(() => {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the case did not finish within ${limitMs / 1000}s`)),
        limitMs,
      );
    });
    result.failures = await Promise.race([work, timeout]);
  } catch (error) {
    if (error instanceof CaseSkipped) skippedBecause = error.message;
    result.failures = errorFailures(error, events);
  } finally {
    clearTimeout(timer);
    await sandbox?.close();
    await caseModel?.close?.();
    await script(evalCase.scripts.cleanup, dir, evalCase, planner).catch((error: Error) =>
      result.failures.push(`cleanup: ${error.message}`),
    );
  }
  tally(result, observed, events);
  if (skippedBecause !== undefined) {
    rmSync(dir, { recursive: true, force: true });
    return skipped(result, skippedBecause, started);
  }
  result.ok = result.failures.length === 0;
  result.status = evalCase.knownGap ? "known-gap" : result.ok ? "pass" : "fail";
  // A known gap that now holds is news: it passes, and says so.
  if (evalCase.knownGap && result.ok) result.status = "pass";
  // A failed case keeps its folder (state, memory, mock worlds) for a look; a passed one is removed.
  if (result.ok && !options.keep) rmSync(dir, { recursive: true, force: true });
  else result.reason = `folder kept: ${dir}`;
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

async function judge(
  evalCase: EvalCase,
  planner: PlannerKind,
  sandbox: Sandbox,
  observed: Observed,
  requests: unknown[],
  dir: string,
): Promise<string[]> {
  const primary = observed.steps[evalCase.primary]?.report;
  if (!primary) return ["the case ran no goal"];
  const expect = expectationsFor(evalCase, planner !== "offline");
  const deployment = expect.deploymentName ?? primary.spec?.name ?? evalCase.setup?.name;
  const world = await sandbox.world(deployment);
  const primaryEvents = observed.steps[evalCase.primary]?.events ?? [];
  const { second, ...base } = expect;
  const failures = checkExpectations(base, { report: primary, events: primaryEvents, world });
  for (const [index, step] of observed.steps.entries()) {
    // A repeat case's second run is checked by `second` (withModel's when a model plans).
    const turnExpect: TurnExpect | undefined = evalCase.repeat
      ? index === 1
        ? second
        : undefined
      : "expect" in step.turn
        ? step.turn.expect
        : undefined;
    if (!turnExpect) continue;
    const label = evalCase.repeat ? "second" : `turns[${index}]`;
    failures.push(...checkTurn(label, turnExpect, step.report, step.drift, step.after));
  }
  failures.push(
    ...(await checkExtras(expect, {
      reports: observed.reports,
      events: observed.steps.flatMap((step) => ("goal" in step.turn ? step.events : [])),
      requests,
      stateAndWorld: deployment ? () => sandbox.stateAndWorld(deployment) : undefined,
      approvals: sandbox.approvals,
    })),
  );
  if (failures.length === 0) {
    await script(evalCase.scripts.verify, dir, evalCase, planner).catch((error: Error) =>
      failures.push(`verify: ${error.message}`),
    );
  }
  return failures;
}

function tally(result: EvalResult, observed: Observed | undefined, events: RunEvent[]): void {
  const reports = observed?.reports ?? [];
  const last = reports.at(-1);
  if (last) {
    result.outcome = last.outcome;
    result.exitCode = last.exitCode;
  }
  for (const report of reports) {
    result.modelCalls += report.modelCalls.length;
    result.tokens.input += report.tokens.input;
    result.tokens.output += report.tokens.output;
    result.tokens.cached += report.tokens.cached;
    result.retries += report.recovery.filter((entry) => entry.action === "retry").length;
    result.rollbacks += report.recovery.filter((entry) => entry.action === "rollback").length;
    if (report.outcome === "rolled-back" && !report.recovery.some((entry) => entry.action === "rollback"))
      result.rollbacks++;
  }
  result.retries += events.filter((event) => event.type === "change.retrying").length;
}
