import { PARALLELISM_FLAG } from "./shared.ts";
import type { CommandDefinition } from "./types.ts";

export const evalCommand: CommandDefinition = {
  name: "eval",
  usage: [
    "eval [--filter X]",
    "  [--planner scripted,offline,live] [--repeat K] [--parallelism N] [--html FILE] [--record DIR] [--keep]",
    "eval --compare A.json B.json",
    "eval --heldout",
  ],
  summary: "run the eval suite (evals/cases) in throwaway sandboxes",
  notes: [
    "--compare: what got better or worse between two agent eval --json reports.",
    "--heldout: the offline planner on held-out paraphrased goals.",
  ],
  flags: {
    filter: { type: "string", value: "X", help: "only the cases whose id, category or a tag contains X" },
    planner: { type: "string", value: "LIST", help: "the planners to run: scripted, offline, live" },
    repeat: { type: "string", value: "K", help: "run every case K times" },
    ...PARALLELISM_FLAG,
    html: { type: "string", value: "FILE", help: "also write the HTML report here" },
    record: { type: "string", value: "DIR", help: "record live conversations here as scripted cases" },
    keep: { type: "boolean", help: "keep the sandboxes" },
    compare: { type: "boolean", help: "compare two --json reports instead of running" },
    heldout: { type: "boolean", help: "the held-out paraphrased goals instead of the cases" },
  },
  exitCodes: {
    0: "every run passed (known gaps aside)",
    1: "a run failed, or the comparison got worse",
    2: "no case matches, or a case file is malformed",
  },
  async run(context) {
    const { evalArgs, runEvalCommand } = await import("../../evals/command.ts");
    return runEvalCommand(evalArgs(context.parsed));
  },
};
