import type { ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();
let hooked = false;

/**
 * Remembers a provider child process until it exits. When the agent's process exits with children
 * still running (a caller forgot `close()`, or an uncaught error), they are killed rather than left
 * behind. Only synchronous work is possible in an `exit` hook, hence SIGKILL.
 */
export function trackChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (!hooked) {
    hooked = true;
    process.on("exit", killAll);
  }
}

function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
  live.clear();
}
