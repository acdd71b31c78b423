import { parseArgs } from "node:util";
import { IacError } from "../agent/errors.ts";

export interface GlobalFlags {
  config?: string;
  model?: string;
  cwd: string;
  json: boolean;
  yes: boolean;
}

export interface ParsedCommand {
  command: string[];
  flags: Record<string, string | boolean | undefined>;
  global: GlobalFlags;
  /** Everything after a bare `--`, passed through untouched (`agent provider test -- CMD ARGS`). */
  passthrough: string[];
}

const OPTIONS = {
  config: { type: "string" },
  model: { type: "string" },
  cwd: { type: "string" },
  json: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  file: { type: "string", short: "f" },
  "dry-run": { type: "boolean" },
  "no-rollback": { type: "boolean" },
  refresh: { type: "boolean" },
  "adopt-orphans": { type: "boolean" },
  "delete-orphans": { type: "boolean" },
  "no-refresh": { type: "boolean" },
  parallelism: { type: "string" },
  "force-unlock": { type: "boolean" },
  "lock-timeout": { type: "string" },
  snapshot: { type: "string" },
  format: { type: "string" },
  force: { type: "boolean" },
  "allow-destroy": { type: "boolean" },
  name: { type: "string" },
  "allow-apply": { type: "boolean" },
  filter: { type: "string" },
  planner: { type: "string" },
  repeat: { type: "string" },
  html: { type: "string" },
  compare: { type: "boolean" },
  record: { type: "string" },
  keep: { type: "boolean" },
  heldout: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

export function usageError(message: string): IacError {
  return new IacError("USAGE", message, { exitCode: 2, hint: "`agent --help` lists the commands and flags" });
}

export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  const split = argv.indexOf("--");
  // `--refresh=false` as Terraform spells it; parseArgs booleans take no value.
  const own = (split === -1 ? [...argv] : argv.slice(0, split)).map((arg) =>
    arg === "--refresh=false" ? "--no-refresh" : arg === "--refresh=true" ? "--refresh" : arg,
  );
  const passthrough = split === -1 ? [] : argv.slice(split + 1);
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true; args: string[] }>
  >;
  try {
    parsed = parseArgs({ args: own, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(
      error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, "") : String(error),
    );
  }
  const { values, positionals } = parsed;
  return {
    command: positionals,
    flags: values,
    global: {
      ...(values.config ? { config: values.config } : {}),
      ...(values.model ? { model: values.model } : {}),
      cwd: values.cwd ?? process.cwd(),
      json: values.json ?? false,
      yes: values.yes ?? false,
    },
    passthrough,
  };
}

export function positiveInt(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw usageError(`--${flag} takes a whole number of 1 or more, not "${value}"`);
  return parsed;
}

export const HELP = `agent — AI-native infrastructure as code over MCP providers

Usage:
  agent                                     on a terminal: the interactive chat (type a goal, approve with y)
  agent "<goal>" [--yes] [--dry-run] [--name NAME]  plan from plain language, check policies, ask, apply, recover
  agent plan -f FILE [--refresh=false]      show what applying the spec would change (reads what exists first)
  agent apply -f FILE [--yes] [--dry-run]   plan, ask, apply (rolls back on failure unless --no-rollback)
  agent destroy NAME [--yes]                show, ask, delete everything a deployment holds, in reverse order
  agent refresh NAME                        compare state with reality, report drift, update state
    [--adopt-orphans | --delete-orphans]    what to do with resources providers list but state lacks
  agent rollback NAME [--snapshot ID] [--yes]  show, ask, restore the provider snapshots of the last run
  agent state list | state show NAME        what state holds
  agent init [--force]                      write mcp-iac.config.yaml for the providers this machine can reach
  agent providers                           configured servers, their health and resource types
  agent graph -f FILE [--format mermaid|dot]
  agent policy check -f FILE                check a spec against the configured policies
  agent memory list | search TEXT | forget ID
  agent eval [--filter X]                   run the eval suite (evals/cases) in throwaway sandboxes
    [--planner scripted,offline,live] [--repeat K] [--parallelism N] [--html FILE] [--record DIR] [--keep]
  agent eval --compare A.json B.json        what got better or worse between two agent eval --json reports
  agent eval --heldout                      the offline planner on held-out paraphrased goals
  agent mcp [--allow-apply]                 serve the agent itself over stdio MCP (plan, state, policy check)
  agent provider NAME                       serve a built-in provider (mock, docker, local) over stdio
  agent provider test -- COMMAND [ARGS]     run the conformance suite against any provider server

Flags:
  --config FILE  --cwd DIR  --json  --yes  --model NAME
  --parallelism N  --no-rollback  --force-unlock  --lock-timeout SECONDS  --allow-destroy

Exit codes: 0 done, 1 the run failed, 2 bad usage/config/spec, 3 blocked by policy, 4 not approved.
With no mcp-iac.config.yaml the sandbox profile serves: a mock provider that touches nothing real.
With no ANTHROPIC_API_KEY or OPENAI_API_KEY the offline planner serves.`;
