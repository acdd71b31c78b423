import { type FlagSpec, type FlagTable, GLOBAL_FLAGS } from "./args.ts";
import type { CommandDefinition } from "./commands/types.ts";

const COLUMN = 44;

function usageLine(usage: string, summary?: string): string {
  const left = usage.startsWith("  ") ? `  ${usage}` : `  agent ${usage}`.trimEnd();
  if (!summary) return left;
  return left.length < COLUMN ? `${left.padEnd(COLUMN)}${summary}` : `${left}  ${summary}`;
}

function flagName(name: string, spec: FlagSpec): string {
  const long = `--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`;
  return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
}

function flagLines(flags: FlagTable): string[] {
  const entries = Object.entries(flags);
  const width = Math.max(...entries.map(([name, spec]) => flagName(name, spec).length)) + 2;
  return entries.map(([name, spec]) => `  ${flagName(name, spec).padEnd(width)}${spec.help}`);
}

const EXIT_MEANINGS =
  "Exit codes: 0 done, 1 the run failed, 2 bad usage/config/spec, 3 blocked by policy, 4 not approved.";

/** `agent --help`: every command's usage and summary, from the command table. */
export function mainHelp(commands: readonly CommandDefinition[]): string {
  const lines = ["agent — AI-native infrastructure as code over MCP providers", "", "Usage:"];
  for (const command of commands) {
    command.usage.forEach((usage, index) => {
      lines.push(usageLine(usage, index === 0 ? command.summary : undefined));
    });
  }
  const globals = Object.entries(GLOBAL_FLAGS)
    .filter(([name]) => name !== "help" && name !== "version")
    .map(([name, spec]) => `--${name}${spec.type === "string" ? ` ${spec.value}` : ""}`);
  lines.push(
    "",
    `Global flags: ${globals.join("  ")}`,
    "`agent COMMAND --help` shows a command's own flags and exit codes.",
    "",
    EXIT_MEANINGS,
    "With no mcp-iac.config.yaml the sandbox profile serves: a mock provider that touches nothing real.",
    "With no ANTHROPIC_API_KEY or OPENAI_API_KEY the offline planner serves.",
  );
  return lines.join("\n");
}

/** `agent COMMAND --help`: its usage, flags, the global flags and what its exit codes mean. */
export function commandHelp(command: CommandDefinition): string {
  const lines = command.usage.map((usage) => (usage.startsWith("  ") ? `  ${usage}` : `agent ${usage}`));
  lines.push("", command.summary);
  if (command.notes) lines.push(...command.notes);
  if (Object.keys(command.flags).length > 0) lines.push("", "Flags:", ...flagLines(command.flags));
  lines.push("", "Global flags:", ...flagLines(GLOBAL_FLAGS), "", "Exit codes:");
  for (const [code, meaning] of Object.entries(command.exitCodes)) lines.push(`  ${code}  ${meaning}`);
  return lines.join("\n");
}
