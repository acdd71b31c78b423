import { IacError } from "../agent/errors.ts";
import { formatSummary, runEvals } from "./runner.ts";

export interface EvalCommandArgs {
  /** Only the cases whose id or a tag contains this text. */
  filter?: string;
  /** One JSON document on stdout instead of the PASS/FAIL lines. */
  json?: boolean;
  /** The model name (`--model`); the key still comes from the environment. */
  model?: string;
}

/**
 * `agent eval [--filter X]`: runs the eval suite with the model the environment names (or the
 * offline planner without one). Exit 0 when every case that ran passed, 1 when any failed, 2 when
 * no case matches the filter or a case file is malformed (thrown as an IacError, which the CLI prints).
 */
export async function runEvalCommand(argv: EvalCommandArgs): Promise<number> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const summary = await runEvals({
    modelFromEnv: true,
    ...(argv.filter ? { filter: argv.filter } : {}),
    ...(argv.model ? { modelName: argv.model } : {}),
    print: argv.json ? false : write,
  });
  if (summary.results.length === 0) {
    throw new IacError("EVAL_NO_MATCH", `no eval case matches "${argv.filter ?? ""}"`, {
      exitCode: 2,
      hint: "the filter is matched against case ids and tags (evals/cases/*.yaml)",
    });
  }
  const exitCode = summary.failed > 0 ? 1 : 0;
  if (argv.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          command: "eval",
          planner: summary.planner,
          summary: formatSummary(summary),
          passed: summary.passed,
          failed: summary.failed,
          skipped: summary.skipped,
          durationMs: summary.durationMs,
          results: summary.results,
          exitCode,
        },
        null,
        2,
      )}\n`,
    );
  }
  return exitCode;
}
