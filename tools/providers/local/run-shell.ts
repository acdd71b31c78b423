import { execa } from "execa";
import { redactSecrets } from "../../../core/redact.ts";

export const OUTPUT_CAP = 16 * 1024;
const KILL_GRACE_MS = 2_000;

/** Process groups of the commands running now: stopped with the provider, never left behind. */
const running = new Set<number>();
let stopping = false;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** True once stopRunningCommands began: a command that ends now was interrupted, not finished. */
export function commandsStopping(): boolean {
  return stopping;
}

/**
 * Stops every running command's whole process group (SIGTERM, then SIGKILL after a grace), for a
 * provider that is shutting down (its client went away, Ctrl-C, SIGTERM).
 */
export async function stopRunningCommands(graceMs = KILL_GRACE_MS): Promise<void> {
  stopping = true;
  const groups = [...running];
  for (const pid of groups) signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groups.some((pid) => groupAlive(pid)))
    await new Promise((resolve) => setTimeout(resolve, 25));
  for (const pid of groups) signalGroup(pid, "SIGKILL");
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The last word: whatever way the process exits, no command group it started outlives it.
process.on("exit", () => {
  for (const pid of running) signalGroup(pid, "SIGKILL");
});

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  /** Why the command could not start at all (no shell, no such folder). */
  spawnError: string | undefined;
}

/** Keeps the last `cap` characters of a stream, so that a chatty command cannot fill memory. */
function tailBuffer(cap: number) {
  let text = "";
  let dropped = 0;
  return {
    push(chunk: Buffer | string) {
      text += chunk.toString();
      if (text.length > cap * 2) {
        dropped += text.length - cap;
        text = text.slice(-cap);
      }
    },
    value(): string {
      let result = text.trim();
      if (result.length > cap) {
        dropped += result.length - cap;
        result = result.slice(-cap);
      }
      if (dropped > 0) {
        // Start the tail at a whole line, so the first line shown is not a fragment.
        const newline = result.indexOf("\n");
        if (newline !== -1 && newline < 1024) {
          dropped += newline + 1;
          result = result.slice(newline + 1);
        }
        return `[… ${dropped} earlier characters dropped]\n${result}`;
      }
      return result;
    },
  };
}

/** Replaces every secret value in a text with ***, longest first so that overlapping values stay hidden. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets, { marker: "***" });
}

/**
 * Runs a command line with the system shell in its own process group, so that a timeout can stop the
 * shell and everything it started. Never throws for a non-zero exit: the caller decides.
 */
export async function runShell(
  command: string,
  options: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    secrets: readonly string[];
    /** Cancels the command: its whole process group is stopped. */
    signal?: AbortSignal;
  },
): Promise<ShellResult> {
  const stdout = tailBuffer(OUTPUT_CAP);
  const stderr = tailBuffer(OUTPUT_CAP);
  const subprocess = execa(command, {
    shell: true,
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    stdin: "ignore",
    buffer: false,
    reject: false,
    detached: true,
    cleanup: false,
  });
  const group = subprocess.pid;
  if (group !== undefined) running.add(group);
  subprocess.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  subprocess.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
  let timedOut = false;
  const killGroup = (signal: NodeJS.Signals) => {
    if (subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, signal);
    } catch {
      // Already gone.
    }
  };
  let forceKill: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup("SIGTERM");
    forceKill ??= setTimeout(() => killGroup("SIGKILL"), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    const result = await subprocess;
    return {
      stdout: redact(stdout.value(), options.secrets),
      stderr: redact(stderr.value(), options.secrets),
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut,
      spawnError:
        result.failed && result.exitCode === undefined && result.signal === undefined && !timedOut
          ? redact(result.originalMessage ?? result.shortMessage ?? "", options.secrets)
          : undefined,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
    if (group !== undefined) running.delete(group);
    if (forceKill) clearTimeout(forceKill);
  }
}
