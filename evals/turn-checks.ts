import type { Drift } from "../agent/engine/refresh.ts";
import type { RunEvent } from "../agent/events.ts";
import type { GoalReport } from "../agent/run.ts";
import type { ListedResource } from "../tools/protocol/index.ts";
import type { TurnExpect } from "./case-fields.ts";
import type { Expectations } from "./case-schema.ts";
import { findForbidden, matchResources, valuePattern } from "./matcher.ts";
import type { ApprovalRecord } from "./sandbox.ts";

const oneOf = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

/** What the providers listed for a turn's deployment right after it. */
export interface TurnWorld {
  world: ListedResource[];
  stateAndWorld?: { state: string[]; world: string[] };
}

/** A turn's expectations about the world right after it. */
function checkTurnWorld(label: string, expect: TurnExpect, after: TurnWorld | undefined): string[] {
  if (!expect.resources && !expect.noResourcesOf && !expect.stateMatchesWorld) return [];
  if (!after) return [`${label}: the world was not listed after this turn`];
  const failures = [
    ...matchResources(expect.resources ?? [], after.world),
    ...findForbidden(expect.noResourcesOf ?? [], after.world),
  ].map((failure) => `${label}.${failure}`);
  if (expect.stateMatchesWorld && after.stateAndWorld)
    failures.push(...stateWorldMismatch(after.stateAndWorld).map((failure) => `${label}.${failure}`));
  return failures;
}

function stateWorldMismatch({ state, world }: { state: string[]; world: string[] }): string[] {
  const missing = world.filter((entry) => !state.includes(entry));
  const ghosts = state.filter((entry) => !world.includes(entry));
  if (missing.length === 0 && ghosts.length === 0) return [];
  return [
    `stateMatchesWorld: ${[
      missing.length > 0 ? `not in state: ${missing.join(", ")}` : "",
      ghosts.length > 0 ? `in state but gone: ${ghosts.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; ")}`,
  ];
}

/** One turn of a conversation against its own expectations; `label` names it in each message. */
export function checkTurn(
  label: string,
  expect: TurnExpect,
  report: GoalReport | undefined,
  drift: Drift[] | undefined,
  after?: TurnWorld,
): string[] {
  const failures: string[] = checkTurnWorld(label, expect, after);
  if (expect.drift) {
    const found = (drift ?? []).map((entry) => `${entry.name} ${entry.kind}`).sort();
    const wanted = expect.drift.map((entry) => `${entry.name} ${entry.kind}`).sort();
    if (found.join(",") !== wanted.join(","))
      failures.push(`${label}.drift: expected [${wanted.join(", ")}], found [${found.join(", ")}]`);
  }
  const goalFields = ["outcome", "planner", "maxModelCalls", "exitCode", "recovery", "changes"] as const;
  if (!report) {
    if (goalFields.some((field) => expect[field] !== undefined))
      failures.push(`${label}: expectations of a goal on a step that ran no goal`);
    return failures;
  }
  const why = report.reason ? ` (${report.reason.split("\n")[0]})` : "";
  if (expect.outcome && !oneOf(expect.outcome).includes(report.outcome))
    failures.push(
      `${label}.outcome: expected ${oneOf(expect.outcome).join(" or ")}, got ${report.outcome}${why}`,
    );
  if (expect.planner && !oneOf(expect.planner).includes(report.planner.kind))
    failures.push(
      `${label}.planner: expected ${oneOf(expect.planner).join(" or ")}, got ${report.planner.kind}`,
    );
  if (expect.maxModelCalls !== undefined && report.modelCalls.length > expect.maxModelCalls)
    failures.push(
      `${label}.maxModelCalls: expected at most ${expect.maxModelCalls}, made ${report.modelCalls.length}`,
    );
  if (expect.exitCode !== undefined && report.exitCode !== expect.exitCode)
    failures.push(`${label}.exitCode: expected ${expect.exitCode}, got ${report.exitCode}${why}`);
  if (expect.recovery) {
    const actions = report.recovery.map((entry) => entry.action).join(", ");
    if (actions !== expect.recovery.join(", "))
      failures.push(`${label}.recovery: expected [${expect.recovery.join(", ")}], got [${actions}]`);
  }
  for (const [action, wanted] of Object.entries(expect.changes ?? {})) {
    const planned = (report.plan?.changes ?? []).filter((change) => change.action === action).length;
    if (planned !== wanted)
      failures.push(`${label}.changes.${action}: expected ${wanted}, planned ${planned}`);
  }
  return failures;
}

export interface WholeRun {
  reports: GoalReport[];
  /** The events of the goal turns (a destroy the case asks for is not counted as destruction). */
  events: RunEvent[];
  /** Requests that reached the model (wire bodies for the scripted planner). */
  requests: unknown[];
  stateAndWorld: (() => Promise<{ state: string[]; world: string[] }>) | undefined;
  approvals: ApprovalRecord[];
}

/** The assertions over the whole case: exit status, budgets, what the model saw, destruction, state = world. */
export async function checkExtras(expect: Expectations, run: WholeRun): Promise<string[]> {
  const failures: string[] = [];
  const last = run.reports.at(-1);
  if (expect.exitCode !== undefined && last && last.exitCode !== expect.exitCode)
    failures.push(`exitCode: expected ${expect.exitCode}, got ${last.exitCode} (${last.outcome})`);
  if (expect.maxTokens) {
    const input = run.reports.reduce((sum, report) => sum + report.tokens.input, 0);
    const output = run.reports.reduce((sum, report) => sum + report.tokens.output, 0);
    if (expect.maxTokens.input !== undefined && input > expect.maxTokens.input)
      failures.push(`maxTokens.input: expected at most ${expect.maxTokens.input}, used ${input}`);
    if (expect.maxTokens.output !== undefined && output > expect.maxTokens.output)
      failures.push(`maxTokens.output: expected at most ${expect.maxTokens.output}, used ${output}`);
  }
  if (expect.modelSaw || expect.modelNeverSaw) {
    const seen = run.requests.map((request) => JSON.stringify(request));
    for (const text of expect.modelSaw ?? []) {
      // Inside JSON a quote or newline is escaped; search for the text as JSON would write it too.
      const escaped = JSON.stringify(text).slice(1, -1);
      if (!seen.some((body) => body.includes(text) || body.includes(escaped)))
        failures.push(
          `modelSaw: no request to the model contained ${JSON.stringify(text)} (${seen.length} requests)`,
        );
    }
    for (const text of expect.modelNeverSaw ?? []) {
      const hits = seen.filter((body) => body.includes(text)).length;
      if (hits > 0)
        failures.push(`modelNeverSaw: ${hits} request(s) to the model contained ${JSON.stringify(text)}`);
    }
  }
  if (expect.plannerNotes) failures.push(...checkPlannerNotes(expect.plannerNotes, last));
  if (expect.maxDestructive !== undefined) {
    const destroyed = run.events.filter(
      (event) =>
        event.type === "change.succeeded" && (event.action === "delete" || event.action === "replace"),
    );
    if (destroyed.length > expect.maxDestructive) {
      const names = destroyed
        .map((event) => (event.type === "change.succeeded" ? event.name : ""))
        .join(", ");
      failures.push(
        `maxDestructive: expected at most ${expect.maxDestructive}, ${destroyed.length} done: ${names}`,
      );
    }
  }
  if (expect.stateMatchesWorld && run.stateAndWorld)
    failures.push(...stateWorldMismatch(await run.stateAndWorld()));
  return failures;
}

/** Each wanted line matches some note of the last plan (its summary's lines after "Notes:"). */
function checkPlannerNotes(wanted: readonly string[], report: GoalReport | undefined): string[] {
  const summary = report?.planner.summary ?? "";
  const notes = summary.includes("\nNotes:\n")
    ? summary
        .slice(summary.indexOf("\nNotes:\n") + "\nNotes:\n".length)
        .split("\n")
        .map((line) => line.replace(/^\s*-\s*/, ""))
    : [];
  return wanted.flatMap((text) => {
    const pattern = valuePattern(text);
    const found = notes.some((note) => (pattern ? pattern.test(note) : note.includes(text)));
    return found
      ? []
      : [
          `plannerNotes: no note ${pattern ? "matches" : "says"} ${JSON.stringify(text)}; notes: ${JSON.stringify(notes)}`,
        ];
  });
}
