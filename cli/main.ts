// Only what every command needs is imported here; each command imports the rest itself, so
// `--help` and `agent provider NAME` load a few modules, not the whole program (Ink, model SDKs, pg).
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EXIT } from "../agent/errors.ts";
import { SecretScrubber } from "../agent/secrets.ts";
import { type ParsedCommand, parseCommandLine, positionalsOf, usageError } from "./args.ts";
import { ALL_FLAGS, COMMANDS, chatCommand, findCommand, goalCommand, helpTopic } from "./commands/index.ts";
import type { CliIo, CommandDefinition, OutputMode } from "./commands/types.ts";
import { commandHelp, mainHelp } from "./help.ts";
import { makeOutput, reportError } from "./output.ts";
import { packageVersion } from "./version.ts";

export type { CliIo } from "./commands/types.ts";

/** Which command a command line names: a command word, `help`, nothing (the chat), or a goal. */
function resolveCommand(argv: readonly string[]): { definition: CommandDefinition; helpFor?: boolean } {
  const [word, ...rest] = positionalsOf(argv, ALL_FLAGS);
  if (word === undefined) return { definition: chatCommand };
  if (word === "help") return { definition: helpTopic(rest[0]) ?? chatCommand, helpFor: true };
  return { definition: findCommand(word) ?? goalCommand };
}

function modeOf(parsed: ParsedCommand): OutputMode {
  const stream = parsed.flags["json-stream"] === true;
  if (stream && parsed.global.json) throw usageError("--json and --json-stream exclude each other");
  return stream ? "stream" : parsed.global.json ? "json" : "human";
}

/**
 * Runs one command line and resolves with its exit code (-1: a server that runs until its client
 * goes away). Importable: tests run commands in process with their own streams.
 */
export async function main(argv: readonly string[], streams: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, ...streams };
  const scrubber = new SecretScrubber();
  // Until the line is parsed, a usage error is reported in the output the line asked for.
  let mode: OutputMode = argv.includes("--json-stream")
    ? "stream"
    : argv.includes("--json")
      ? "json"
      : "human";
  try {
    const { definition, helpFor } = resolveCommand(argv);
    const shown = definition === goalCommand ? '"<goal>"' : definition.name;
    const parsed = parseCommandLine(argv, definition.flags, shown);
    mode = modeOf(parsed);
    if (parsed.flags["version"]) {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    const chatWithoutTerminal =
      definition === chatCommand && !(io.stdin.isTTY && io.stdout.isTTY && !parsed.global.json);
    if (chatWithoutTerminal && !parsed.flags["help"] && !helpFor) {
      io.stdout.write(`${mainHelp(COMMANDS)}\n`);
      return EXIT.usage;
    }
    if (parsed.flags["help"] || helpFor) {
      const text = definition === chatCommand ? mainHelp(COMMANDS) : commandHelp(definition);
      io.stdout.write(`${text}\n`);
      return EXIT.ok;
    }
    // Under --json-stream stdout is machine output too: no question can be asked there.
    if (mode === "stream") parsed.global.json = true;
    // Servers print no run output: the quiet JSON sink spares each provider process the printer's chunks.
    const out = await makeOutput(definition.server ? "json" : mode, io, scrubber);
    try {
      return await definition.run({ parsed, io, scrubber, out });
    } finally {
      out.close();
    }
  } catch (error) {
    return reportError(error, mode, io, scrubber);
  }
}

/**
 * Ctrl-C and a closed pipe end the command at once. Exit hooks release the deployment lock and stop
 * provider processes; operations in flight stay pending in state and the next run reconciles them.
 */
function installExitHandlers(argv: readonly string[]): void {
  // Servers (`agent provider NAME`, `agent mcp`) run until their client goes away and handle their own signals.
  const word = positionalsOf(argv, ALL_FLAGS)[0];
  if (word && findCommand(word)?.server) return;
  // `on`, not `once`: a second Ctrl-C while the first is exiting must not fall back to a hard kill.
  process.on("SIGINT", () => {
    process.stderr.write(
      "\nInterrupted. Changes in flight stay pending in state; the next run reconciles them.\n",
    );
    process.exit(130);
  });
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
  });
}

/** The binary: runs the command line of this process and exits with its code. */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  installExitHandlers(argv);
  const code = await main(argv);
  if (code >= 0) {
    process.exitCode = code;
    // Providers and timers must not keep a finished command alive.
    setTimeout(() => process.exit(code), 50).unref();
  }
}

/** `node cli/main.ts` (npm start) runs the CLI; importing this module does not. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) await runCli();
