import { writeFileSync } from "node:fs";
import { IacError } from "../agent/errors.ts";
import { type ParsedCommand, positiveInt, usageError } from "../cli/args.ts";
import { PLANNER_KINDS, type PlannerKind } from "./case-fields.ts";
import { formatHeldout, runHeldout } from "./heldout.ts";
import { compareReports, formatTable, readReport, reportDocument } from "./report.ts";
import { renderHtml } from "./report-html.ts";
import { formatSummary, runEvals } from "./runner.ts";

export interface EvalCommandArgs {
  /** Only the cases whose id, category or a tag contains this text. */
  filter?: string;
  /** One JSON document on stdout instead of the PASS/FAIL lines and the table. */
  json?: boolean;
  /** The model name (`--model`); the key still comes from the environment. */
  model?: string;
  planners?: PlannerKind[];
  repeat?: number;
  parallel?: number;
  /** Also write the self-contained HTML report here. */
  html?: string;
  /** Live conversations are recorded here, each as a scripted case that replays it. */
  record?: string;
  keep?: boolean;
  /** Two `--json` reports to compare instead of running anything. */
  compare?: [string, string];
  /** The held-out paraphrased goals instead of the cases. */
  heldout?: boolean;
}

/** `agent eval` flags and positionals as the command takes them; a wrong one is a usage error. */
export function evalArgs(parsed: ParsedCommand): EvalCommandArgs {
  const { flags, global } = parsed;
  const positionals = parsed.command.slice(1);
  const args: EvalCommandArgs = { json: global.json };
  if (global.model) args.model = global.model;
  if (flags["compare"]) {
    if (positionals.length !== 2)
      throw usageError("--compare takes two reports: agent eval --compare A.json B.json");
    args.compare = [positionals[0]!, positionals[1]!];
    return args;
  }
  const filter = flags["filter"] ?? positionals[0];
  if (typeof filter === "string") args.filter = filter;
  if (typeof flags["planner"] === "string") {
    const names = flags["planner"].split(",").map((name) => name.trim());
    const wrong = names.filter((name) => !(PLANNER_KINDS as readonly string[]).includes(name));
    if (wrong.length > 0 || names.length === 0)
      throw usageError(
        `--planner takes ${PLANNER_KINDS.join(", ")} (comma-separated), not "${wrong.join(",")}"`,
      );
    args.planners = names as PlannerKind[];
  }
  const repeat = positiveInt(flags["repeat"], "repeat");
  if (repeat) args.repeat = repeat;
  const parallel = positiveInt(flags["parallelism"], "parallelism");
  if (parallel) args.parallel = parallel;
  if (typeof flags["html"] === "string") args.html = flags["html"];
  if (typeof flags["record"] === "string") args.record = flags["record"];
  if (flags["keep"]) args.keep = true;
  if (flags["heldout"]) args.heldout = true;
  return args;
}

/**
 * `agent eval`: runs the suite with the scripted and offline planners, and a live model when one
 * is configured. Exit 0 when every run passed (known gaps aside), 1 when any failed, 2 when no case
 * matches the filter or a case file is malformed (thrown as an IacError, which the CLI prints).
 */
export async function runEvalCommand(argv: EvalCommandArgs): Promise<number> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  if (argv.compare) {
    const comparison = compareReports(readReport(argv.compare[0]), readReport(argv.compare[1]));
    if (argv.json) write(JSON.stringify({ command: "eval-compare", ...comparison }, null, 2));
    else for (const line of comparison.lines) write(line);
    return comparison.worse.length > 0 ? 1 : 0;
  }
  if (argv.heldout) {
    const heldout = runHeldout();
    if (argv.json) write(JSON.stringify({ command: "eval-heldout", ...heldout }, null, 2));
    else for (const line of formatHeldout(heldout)) write(line);
    return 0;
  }
  if (argv.repeat && argv.repeat > 1 && argv.planners && !argv.planners.includes("live"))
    throw usageError(
      "--repeat applies to the live planner only; the scripted and offline runs are deterministic",
    );
  const summary = await runEvals({
    modelFromEnv: true,
    ...(argv.filter ? { filter: argv.filter } : {}),
    ...(argv.model ? { modelName: argv.model } : {}),
    ...(argv.planners ? { planners: argv.planners } : {}),
    ...(argv.repeat ? { repeat: argv.repeat } : {}),
    ...(argv.parallel ? { parallel: argv.parallel } : {}),
    ...(argv.record ? { recordDir: argv.record } : {}),
    ...(argv.keep ? { keep: true } : {}),
    print: argv.json ? false : write,
    closingLine: false,
  });
  if (summary.results.length === 0) {
    throw new IacError(
      "EVAL_NO_MATCH",
      `no eval case matches "${argv.filter ?? ""}" with the planners asked for`,
      {
        exitCode: 2,
        hint: "the filter is matched against case ids, categories and tags (evals/cases/*/case.yaml)",
      },
    );
  }
  const exitCode = summary.failed > 0 ? 1 : 0;
  const document = reportDocument(summary, exitCode);
  if (argv.html) writeFileSync(argv.html, renderHtml(document));
  if (argv.json) write(JSON.stringify(document, null, 2));
  else {
    write("");
    for (const line of formatTable(summary)) write(line);
    if (argv.html) write(`HTML report: ${argv.html}`);
    // The plain closing count stays the last line.
    write(formatSummary(summary));
  }
  return exitCode;
}
