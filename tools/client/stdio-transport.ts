import type { ChildProcess } from "node:child_process";
import { StdioClientTransport, type StdioServerParameters } from "@modelcontextprotocol/sdk/client/stdio.js";
import { trackChild } from "./child-reaper.ts";
import type { ExitInfo } from "./errors.ts";

/**
 * The SDK's stdio transport, plus what it keeps to itself: the child process, so that we can tell
 * how it ended (exit code or signal), kill it on our own schedule, and never leave it behind.
 */
export class ChildStdioTransport extends StdioClientTransport {
  child: ChildProcess | undefined;
  exit: ExitInfo | undefined;
  /** Resolves once the child has exited (or never started). */
  readonly exited: Promise<void>;
  private markExited!: () => void;

  constructor(params: StdioServerParameters) {
    super(params);
    this.exited = new Promise((resolve) => {
      this.markExited = resolve;
    });
  }

  override start(): Promise<void> {
    const started = super.start();
    // The SDK spawns synchronously inside start() and keeps the process in a private field.
    const child = (this as unknown as { _process?: ChildProcess })._process;
    this.child = child;
    if (!child) {
      this.markExited();
      return started;
    }
    trackChild(child);
    child.once("exit", (code, signal) => {
      this.exit = { code, signal };
      this.markExited();
    });
    child.once("error", () => {
      // A spawn failure (command not found) emits error and no exit.
      if (child.pid === undefined) this.markExited();
    });
    return started;
  }

  /** Whether the child is still running. */
  get running(): boolean {
    const child = this.child;
    return (
      child !== undefined && child.pid !== undefined && child.exitCode === null && child.signalCode === null
    );
  }
}
