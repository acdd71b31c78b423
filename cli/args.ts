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

/** One flag as a command declares it: its parse type, and what help shows. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  /** The value's placeholder in help (`FILE`, `N`); string flags only. */
  value?: string;
  help: string;
}

export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** The flags every command takes (design §6), plus --help and --version. */
export const GLOBAL_FLAGS = {
  config: { type: "string", value: "FILE", help: "the config file (default: mcp-iac.config.yaml here)" },
  model: { type: "string", value: "NAME", help: "the model to plan with" },
  cwd: { type: "string", value: "DIR", help: "the working folder" },
  json: { type: "boolean", help: "print one JSON document on stdout and nothing else there" },
  yes: { type: "boolean", short: "y", help: "approve without asking" },
  help: { type: "boolean", short: "h", help: "this help" },
  version: { type: "boolean", short: "v", help: "the installed version" },
} as const satisfies FlagTable;

export function usageError(message: string, hint = "`agent --help` lists the commands and flags"): IacError {
  return new IacError("USAGE", message, { exitCode: 2, hint });
}

/** `--refresh=false` as Terraform spells it; parseArgs booleans take no value. */
function terraformBooleans(argv: readonly string[]): string[] {
  return argv.map((arg) =>
    arg === "--refresh=false" ? "--no-refresh" : arg === "--refresh=true" ? "--refresh" : arg,
  );
}

function splitPassthrough(argv: readonly string[]): { own: string[]; passthrough: string[] } {
  const split = argv.indexOf("--");
  return split === -1
    ? { own: terraformBooleans(argv), passthrough: [] }
    : { own: terraformBooleans(argv.slice(0, split)), passthrough: argv.slice(split + 1) };
}

function parseOptions(flags: FlagTable) {
  return Object.fromEntries(
    Object.entries(flags).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
    ]),
  ) as Record<string, { type: "string" | "boolean"; short?: string }>;
}

/**
 * The positionals of a command line, read leniently with every flag any command knows (so that
 * `--cwd DIR plan` finds `plan`): which command it is decides which flags are then allowed.
 */
export function positionalsOf(argv: readonly string[], allFlags: FlagTable): string[] {
  const { own } = splitPassthrough(argv);
  try {
    return parseArgs({ args: own, options: parseOptions(allFlags), allowPositionals: true, strict: false })
      .positionals;
  } catch {
    return own.filter((arg) => !arg.startsWith("-"));
  }
}

/**
 * Parses a command line against one command's flags plus the global ones. A flag the command does
 * not declare is a usage error that names both.
 */
export function parseCommandLine(
  argv: readonly string[],
  commandFlags: FlagTable = {},
  commandName = "",
  cwd = process.cwd(),
): ParsedCommand {
  const { own, passthrough } = splitPassthrough(argv);
  const options = parseOptions({ ...GLOBAL_FLAGS, ...commandFlags });
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: own, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw parseProblem(error, commandName);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const config = text("config");
  const model = text("model");
  return {
    command: parsed.positionals,
    flags: values,
    global: {
      ...(config ? { config } : {}),
      ...(model ? { model } : {}),
      cwd: text("cwd") ?? cwd,
      json: values["json"] === true,
      yes: values["yes"] === true,
    },
    passthrough,
  };
}

function parseProblem(error: unknown, commandName: string): IacError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) {
    const where = commandName ? `agent ${commandName}` : "agent";
    return usageError(`${where} does not take ${unknown[1]}`, `\`${where} --help\` lists the flags it takes`);
  }
  return usageError(message.replace(/\. To specify a positional.*$/s, ""));
}

export function positiveInt(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined || typeof value === "boolean") return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw usageError(`--${flag} takes a whole number of 1 or more, not "${value}"`);
  return parsed;
}
