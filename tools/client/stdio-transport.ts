import type { ChildProcess } from "node:child_process";
import { StdioClientTransport, type StdioServerParameters } from "@modelcontextprotocol/sdk/client/stdio.js";
import { useLineBuffer } from "../protocol/line-buffer.ts";
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
  /** The first line on stdout that is not JSON-RPC (a server that prints logs or a banner there). */
  garbage: string | undefined;
  /** Told of that line at once, so a handshake with a server that speaks something else fails fast. */
  onGarbage: ((line: string) => void) | undefined;
  private pendingLine = "";
  private markExited!: () => void;

  constructor(params: StdioServerParameters) {
    super(params);
    useLineBuffer(this);
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
    child.stdout?.on("data", (chunk: Buffer) => this.watchForGarbage(chunk));
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

  private watchForGarbage(chunk: Buffer): void {
    if (this.garbage !== undefined) return;
    // Only the start of each line matters: JSON-RPC lines begin with "{".
    this.pendingLine += chunk.toString("utf8", 0, Math.min(chunk.length, 4096));
    const lines = this.pendingLine.split("\n");
    this.pendingLine = (lines.pop() ?? "").slice(0, 4096);
    for (const line of lines) {
      const text = line.replace(/\r$/, "");
      if (text.trim() === "" || text.trimStart().startsWith("{")) continue;
      this.garbage = text.slice(0, 200);
      this.onGarbage?.(this.garbage);
      return;
    }
  }

  /** Whether the child is still running. */
  get running(): boolean {
    const child = this.child;
    return (
      child !== undefined && child.pid !== undefined && child.exitCode === null && child.signalCode === null
    );
  }
}
