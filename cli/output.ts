import { EXIT, IacError } from "../agent/errors.ts";
import type { RunEvent } from "../agent/events.ts";
import type { SecretScrubber } from "../agent/secrets.ts";
import type { CliIo, Output, OutputMode } from "./commands/types.ts";
import { painter } from "./style.ts";

/** `stream` as the printer sees it: every write scrubbed. */
function scrubbed(stream: NodeJS.WriteStream, scrubber: SecretScrubber): NodeJS.WriteStream {
  return Object.create(stream, {
    write: {
      value: (chunk: unknown, ...rest: unknown[]) =>
        (stream.write as (...args: unknown[]) => boolean).call(
          stream,
          typeof chunk === "string" ? scrubber.scrub(chunk) : chunk,
          ...rest,
        ),
    },
  }) as NodeJS.WriteStream;
}

/** One JSON Lines record: an event or the closing result. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export async function makeOutput(mode: OutputMode, io: CliIo, scrubber: SecretScrubber): Promise<Output> {
  const events: RunEvent[] = [];
  const silent = { line: () => {}, close: () => {} };
  if (mode === "json") {
    return {
      mode,
      events,
      emit: (event) => events.push(event),
      result: (document) =>
        io.stdout.write(`${JSON.stringify(scrubber.scrubDeep({ ...document, events }), null, 2)}\n`),
      ...silent,
    };
  }
  if (mode === "stream") {
    return {
      mode,
      events,
      emit: (event) => io.stdout.write(jsonLine(scrubber.scrubDeep(event))),
      result: (document) => io.stdout.write(jsonLine(scrubber.scrubDeep({ type: "result", ...document }))),
      ...silent,
    };
  }
  const { HumanPrinter } = await import("./printer.ts");
  const printer = new HumanPrinter(scrubbed(io.stdout, scrubber));
  return {
    mode,
    events,
    emit: printer.handle,
    line: (text) => printer.line(text),
    result: (_document, human) => human?.(),
    close: () => printer.close(),
  };
}

/** Error classes of ours that are not IacErrors yet and are the user's to fix, not a bug to report. */
const USER_FACING = [
  "ConfigError",
  "LockHeldError",
  "ProviderUnavailableError",
  "ProviderCallError",
  "UnknownTypeError",
];

/** Prints a command's error (scrubbed) as JSON or for a person, and says which exit code it means. */
export function reportError(error: unknown, mode: OutputMode, io: CliIo, scrubber: SecretScrubber): number {
  const known = error as { name?: string; message?: string; exitCode?: number; hint?: string; code?: string };
  const userFacing = IacError.isInstance(error) || USER_FACING.includes(known?.name ?? "");
  const exitCode = IacError.isInstance(error)
    ? error.exitCode
    : known?.name === "ConfigError"
      ? EXIT.usage
      : EXIT.failed;
  const message = scrubber.scrub(error instanceof Error ? error.message : String(error));
  if (known?.hint) known.hint = scrubber.scrub(known.hint);
  const document = {
    error: { code: known?.code ?? known?.name ?? "ERROR", message, hint: known?.hint },
    exitCode,
  };
  if (mode === "json") io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  else if (mode === "stream") io.stdout.write(jsonLine({ type: "result", ...document }));
  else {
    const paint = painter(io.stderr);
    io.stderr.write(`${paint("red", "Error:")} ${message}\n`);
    if (known?.hint) io.stderr.write(`${known.hint}\n`);
    if (!userFacing && error instanceof Error && error.stack) {
      io.stderr.write(
        `\nThis is a bug in mcp-iac; please report it with the trace below.\n${scrubber.scrub(error.stack)}\n`,
      );
    }
  }
  return exitCode;
}
