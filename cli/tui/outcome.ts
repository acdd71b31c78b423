import type { GoalOutcome, GoalReport } from "../../agent/run.ts";
import type { NewEntry, Tone } from "./transcript.ts";

const SAID: Record<GoalOutcome, { text: (reason: string) => string; tone: Tone }> = {
  succeeded: { text: () => "Done.", tone: "green" },
  "nothing-to-do": { text: () => "Nothing to do: everything already matches.", tone: "green" },
  planned: { text: () => "Dry run: nothing was applied.", tone: undefined },
  declined: { text: (reason) => `Not planned: ${reason}`, tone: "red" },
  "planner-failed": { text: (reason) => `Planning failed: ${reason}`, tone: "red" },
  blocked: { text: (reason) => `Blocked: ${reason}`, tone: "red" },
  "not-approved": { text: () => "Not approved: nothing was applied.", tone: "yellow" },
  failed: {
    text: (reason) => `Failed${reason ? `: ${reason}` : ""}. State records what exists.`,
    tone: "red",
  },
  "rolled-back": {
    text: (reason) => `Failed and rolled back${reason ? `: ${reason}` : ""}.`,
    tone: "yellow",
  },
  cancelled: { text: (reason) => `Cancelled${reason ? `: ${reason}` : ""}.`, tone: "yellow" },
};

/** The run's last line, as the one-shot command says it, with the token count when a model served. */
export function outcomeEntries(report: GoalReport): NewEntry[] {
  const said = SAID[report.outcome];
  const tokens =
    report.modelCalls.length > 0
      ? ` Model: ${report.modelCalls.length} call(s), ${report.tokens.input} tokens in (${report.tokens.cached} cached), ${report.tokens.output} out.`
      : "";
  const text = `${said.text(report.reason ?? "")}${tokens}`;
  return [
    said.tone ? { kind: "line", text, tone: said.tone, bold: true } : { kind: "line", text, bold: true },
  ];
}

/** A run that threw: the message and the hint, never a stack trace for a known error. */
export function errorEntries(error: unknown): NewEntry[] {
  const message = error instanceof Error ? error.message : String(error);
  const entries: NewEntry[] = [{ kind: "line", text: `Error: ${message}`, tone: "red" }];
  const hint = (error as { hint?: unknown } | undefined)?.hint;
  if (typeof hint === "string" && hint) entries.push({ kind: "line", text: hint, tone: "gray" });
  return entries;
}
