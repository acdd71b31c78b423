import type { EventSink, RunEvent } from "../../agent/events.ts";
import type { SecretScrubber } from "../../agent/secrets.ts";
import type { FlagTable, ParsedCommand } from "../args.ts";

/** The streams a command reads and writes; the process's own unless a test passes others. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

/** Human lines, one JSON document (--json), or JSON Lines as events happen (--json-stream). */
export type OutputMode = "human" | "json" | "stream";

export interface Output {
  mode: OutputMode;
  /** Events go to the human printer, are collected for the one JSON document, or stream as lines. */
  emit: EventSink;
  events: RunEvent[];
  /** A human line (nothing under --json or --json-stream). */
  line(text?: string): void;
  /** The result: one JSON document, its last JSON line, or the `human` lines. */
  result(document: Record<string, unknown>, human?: () => void): void;
  close(): void;
}

export interface CommandContext {
  parsed: ParsedCommand;
  io: CliIo;
  /** Filled with the config's credentials as a workspace opens; everything printed passes through it. */
  scrubber: SecretScrubber;
  out: Output;
}

/**
 * One command: its flags, help and exit codes in one place, so `agent --help`, `agent NAME --help`
 * and the parser agree. Modules that define commands import only types and small helpers; whatever
 * a command needs to run (engine, Ink, SDKs, pg) it imports inside `run`.
 */
export interface CommandDefinition {
  name: string;
  /** Usage lines without the leading `agent `, the first one the main form. */
  usage: readonly string[];
  summary: string;
  flags: FlagTable;
  /** What each exit code means for this command (design §6 gives the shared meanings). */
  exitCodes: Readonly<Record<number, string>>;
  /** More lines for `agent NAME --help`. */
  notes?: readonly string[];
  /** Serves until its client goes away: no Ctrl-C hook, no forced exit when `run` resolves. */
  server?: boolean;
  run(context: CommandContext): Promise<number>;
}
