import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { ProviderError } from "../../protocol/index.ts";

const WAIT_MS = 30_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the world's lock file (O_EXCL create holding our pid), waiting while another live process
 * holds it; a lock left by a dead process (a crash, kill -9) is broken. Synchronous: the world's
 * operations are.
 */
export function acquireWorldLock(lockFile: string, worldFile: string): number {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lockFile, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      return fd;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder = 0;
    try {
      holder = Number.parseInt(readFileSync(lockFile, "utf8"), 10);
    } catch {
      continue; // released between our open and read
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      try {
        unlinkSync(lockFile);
      } catch {
        // another process broke it first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new ProviderError(
        "UNAVAILABLE",
        `the mock world ${worldFile} stayed locked by pid ${holder || "?"} for ${WAIT_MS / 1000}s`,
        { retryable: true },
      );
    }
    Atomics.wait(pause, 0, 0, 5);
  }
}

export function releaseWorldLock(lockFile: string, fd: number): void {
  closeSync(fd);
  try {
    unlinkSync(lockFile);
  } catch {
    // already gone
  }
}
