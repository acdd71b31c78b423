import { type FlagTable, GLOBAL_FLAGS } from "../args.ts";
import { applyCommand } from "./apply.ts";
import { chatCommand } from "./chat.ts";
import { destroyCommand } from "./destroy.ts";
import { evalCommand } from "./eval.ts";
import { goalCommand } from "./goal.ts";
import { graphCommand } from "./graph.ts";
import { initCommand } from "./init.ts";
import { mcpCommand } from "./mcp.ts";
import { memoryCommand } from "./memory.ts";
import { planCommand } from "./plan.ts";
import { policyCommand } from "./policy.ts";
import { providerCommand } from "./provider.ts";
import { providersCommand } from "./providers.ts";
import { refreshCommand } from "./refresh.ts";
import { rollbackCommand } from "./rollback.ts";
import { stateCommand } from "./state.ts";
import type { CommandDefinition } from "./types.ts";

/**
 * Every command, in the order `agent --help` lists them. Cheap to import: the definitions load what
 * they run only when they run.
 */
export const COMMANDS: readonly CommandDefinition[] = [
  chatCommand,
  goalCommand,
  planCommand,
  applyCommand,
  destroyCommand,
  refreshCommand,
  rollbackCommand,
  stateCommand,
  initCommand,
  providersCommand,
  graphCommand,
  policyCommand,
  memoryCommand,
  evalCommand,
  mcpCommand,
  providerCommand,
];

/** The commands a first word names (the chat and a goal have none). */
const NAMED = new Map(
  COMMANDS.filter((command) => command !== goalCommand && command.name).map((c) => [c.name, c]),
);

export function findCommand(name: string): CommandDefinition | undefined {
  return NAMED.get(name);
}

/** The command `agent help NAME` shows: any command, the goal included. */
export function helpTopic(name: string | undefined): CommandDefinition | undefined {
  return name ? COMMANDS.find((command) => command.name === name) : undefined;
}

/** Every flag of every command: enough to find the command word before its own flags are known. */
export const ALL_FLAGS: FlagTable = Object.assign(
  { ...GLOBAL_FLAGS },
  ...COMMANDS.map((command) => command.flags),
);

export { chatCommand, goalCommand };
