import { PassThrough, Writable } from "node:stream";
import type { CliIo } from "./commands/types.ts";

/** Streams for running `main` in process: what it printed, and a terminal (or not) to answer it. */
export function testIo(options: { tty?: boolean; answers?: string } = {}): {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
} {
  const written = { stdout: "", stderr: "" };
  const sink = (key: keyof typeof written) =>
    Object.assign(
      new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          written[key] += chunk.toString();
          done();
        },
      }),
      { isTTY: false },
    ) as unknown as NodeJS.WriteStream;
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  if (options.answers !== undefined) stdin.write(options.answers);
  return {
    io: { stdout: sink("stdout"), stderr: sink("stderr"), stdin: stdin as unknown as NodeJS.ReadStream },
    stdout: () => written.stdout,
    stderr: () => written.stderr,
  };
}
