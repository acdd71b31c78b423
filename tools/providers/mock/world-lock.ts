import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { ProviderError } from "../../protocol/index.ts";

const WAIT_MS = 30_000;
const POLL_MS = 5;
/** An idle lease is given back after this long: another process waits at most about this much. */
const LEASE_IDLE_MS = 10;
/** After giving the lease up to a waiter, this process stands back so long before taking it again. */
const YIELD_MS = 4 * POLL_MS;
const pause = new Int32Array(new SharedArrayBuffer(4));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Takes the world's lock file (O_EXCL create holding our pid), waiting while another live process
 * holds it; a lock left by a dead process (a crash, kill -9) is broken. While waiting it leaves a
 * marker, so a busy holder knows to give its lease up. Synchronous: the world's operations are.
 */
export function acquireWorldLock(lockFile: string, worldFile: string): number {
  const deadline = Date.now() + WAIT_MS;
  const marker = `${lockFile}.waiting`;
  let marked = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      if (marked) removeIfPresent(marker);
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
      removeIfPresent(lockFile); // another process may have broken it first
      continue;
    }
    if (Date.now() > deadline) {
      if (marked) removeIfPresent(marker);
      throw new ProviderError(
        "UNAVAILABLE",
        `the mock world ${worldFile} stayed locked by pid ${holder || "?"} for ${WAIT_MS / 1000}s`,
        { retryable: true },
      );
    }
    if (!marked) {
      writeFileSync(marker, `${process.pid}\n`);
      marked = true;
    }
    Atomics.wait(pause, 0, 0, POLL_MS);
  }
}

export function releaseWorldLock(lockFile: string, fd: number): void {
  closeSync(fd);
  removeIfPresent(lockFile);
}

/** The lease of each lock file this process holds, so two worlds of one process hand it over. */
const leases = new Map<string, WorldLease>();

/**
 * The world's lock, kept across operations while this process is busy: taking and dropping the lock
 * file for every write costs four file-system calls, and a sandbox apply makes thousands of writes.
 * The lease goes back after LEASE_IDLE_MS without use, at once when another process is waiting for
 * it, on close, and at exit; a kill -9 leaves a lock of a dead pid, which the next taker breaks.
 */
export class WorldLease {
  readonly #lockFile: string;
  readonly #worldFile: string;
  readonly #onRelease: () => void;
  #fd: number | undefined;
  #lastUse = 0;
  #yieldUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #onExit = () => this.release();

  /** `onRelease` runs just before the lock is dropped (to note how the world files look then). */
  constructor(lockFile: string, worldFile: string, onRelease: () => void) {
    this.#lockFile = lockFile;
    this.#worldFile = worldFile;
    this.#onRelease = onRelease;
  }

  get held(): boolean {
    return this.#fd !== undefined;
  }

  /** Holds the lock; true when it was taken now (others may have written since it was last held). */
  take(): boolean {
    this.#lastUse = Date.now();
    if (this.#fd !== undefined) return false;
    const other = leases.get(this.#lockFile);
    if (other && other !== this) other.release();
    const standBack = this.#yieldUntil - this.#lastUse;
    if (standBack > 0) Atomics.wait(pause, 0, 0, standBack);
    this.#fd = acquireWorldLock(this.#lockFile, this.#worldFile);
    leases.set(this.#lockFile, this);
    process.on("exit", this.#onExit);
    this.#arm(LEASE_IDLE_MS);
    return true;
  }

  release(): void {
    if (this.#fd === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      this.#onRelease();
    } finally {
      releaseWorldLock(this.#lockFile, this.#fd);
      this.#fd = undefined;
      leases.delete(this.#lockFile);
      process.off("exit", this.#onExit);
    }
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#check(), ms);
    this.#timer.unref();
  }

  #check(): void {
    const idle = Date.now() - this.#lastUse;
    if (idle < LEASE_IDLE_MS && !this.#someoneWaits()) {
      this.#arm(LEASE_IDLE_MS - idle);
      return;
    }
    if (idle < LEASE_IDLE_MS) this.#yieldUntil = Date.now() + YIELD_MS;
    this.release();
  }

  /** A live process's waiting mark; a dead waiter's mark is cleared, or it would slow us for good. */
  #someoneWaits(): boolean {
    const marker = `${this.#lockFile}.waiting`;
    if (!existsSync(marker)) return false;
    let waiter = 0;
    try {
      waiter = Number.parseInt(readFileSync(marker, "utf8"), 10);
    } catch {
      return false;
    }
    if (Number.isInteger(waiter) && waiter > 0 && alive(waiter)) return true;
    removeIfPresent(marker);
    return false;
  }
}
