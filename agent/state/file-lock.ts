import { randomUUID } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fsyncDir, isCode } from "./atomic-json-file.ts";
import { LockHeldError } from "./errors.ts";
import type { LockHolder } from "./types.ts";

/** A lock this process holds; `token` tells it apart from a lock someone took after a force-unlock. */
export interface OwnedLock {
  path: string;
  holder: LockHolder;
  token: string;
}

const POLL_MS = 50;

/**
 * Creates the lock file with O_EXCL ("wx") holding the holder as JSON. When it exists and its holder
 * is provably dead (this host, this boot, its pid gone or now a younger process), takes it over and
 * says so through `onTakeover`. Otherwise fails at once with `LockHeldError`, or polls until `waitMs`
 * has passed, having said whom it waits for. A holder that may be alive is never broken.
 */
export async function acquireLock(
  path: string,
  deployment: string,
  command: string,
  waitMs = 0,
  notify: { onWait?: (holder: LockHolder) => void; onTakeover?: (holder: LockHolder) => void } = {},
): Promise<OwnedLock> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + Math.max(0, waitMs);
  let told = false;
  for (;;) {
    const owned = tryCreate(path, command);
    if (owned) return owned;
    const holder = await readHolderSettled(path);
    if (!holder) continue; // released in between: try again at once
    if (provablyDead(holder) && takeOver(path, holder)) {
      notify.onTakeover?.(holder);
      continue;
    }
    if (Date.now() >= deadline) throw new LockHeldError(deployment, holder, isStale(holder));
    if (!told) notify.onWait?.(holder);
    told = true;
    await sleep(POLL_MS);
  }
}

/**
 * Removes a dead holder's lock, serialised by an O_EXCL side file so that two takers cannot remove a
 * lock the other has just taken: under it, the lock is removed only if it still names that holder.
 */
function takeOver(path: string, dead: LockHolder): boolean {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, "wx", 0o600);
  } catch (error) {
    if (!isCode(error, "EEXIST")) throw error;
    // A taker killed while holding the guard leaves it: it is only ever held for a moment.
    if (Date.now() - statSync(guard, { throwIfNoEntry: false })!.mtimeMs > 10_000) removeLock(guard);
    return false;
  }
  closeSync(fd);
  try {
    const current = readRaw(path)?.holder;
    if (!current || !sameHolder(current, dead)) return false;
    removeLock(path);
    return true;
  } finally {
    removeLock(guard);
  }
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.host === b.host && a.since === b.since && a.startTicks === b.startTicks;
}

function tryCreate(path: string, command: string): OwnedLock | undefined {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if (isCode(error, "EEXIST")) return undefined;
    throw error;
  }
  const identity = processIdentity(process.pid);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    command,
    ...identity,
  };
  const token = randomUUID();
  try {
    writeSync(fd, JSON.stringify({ ...holder, token }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(dirname(path));
  return { path, holder, token };
}

/** The holder, or undefined when there is no lock. */
export function readLockHolder(path: string): LockHolder | undefined {
  const raw = readRaw(path);
  if (raw === undefined) return undefined;
  return raw.holder ?? damagedHolder(path);
}

/**
 * Reads the holder; an unreadable lock is given a moment (its creator writes right after creating
 * it), then reported as damaged: the leftover of a process killed between create and write.
 */
async function readHolderSettled(path: string): Promise<LockHolder | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const raw = readRaw(path);
    if (raw === undefined) return undefined;
    if (raw.holder) return raw.holder;
    await sleep(POLL_MS);
  }
  return readLockHolder(path);
}

function readRaw(path: string): { holder?: LockHolder; token?: string } | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (isCode(error, "ENOENT")) return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder> & { token?: string };
    if (typeof value.pid !== "number" || typeof value.host !== "string" || typeof value.since !== "string") {
      return {};
    }
    const holder: LockHolder = {
      pid: value.pid,
      host: value.host,
      since: value.since,
      command: typeof value.command === "string" ? value.command : "unknown",
      ...(typeof value.bootId === "string" ? { bootId: value.bootId } : {}),
      ...(typeof value.startTicks === "number" ? { startTicks: value.startTicks } : {}),
    };
    return value.token === undefined ? { holder } : { holder, token: value.token };
  } catch {
    return {};
  }
}

function damagedHolder(path: string): LockHolder {
  let since = new Date(0).toISOString();
  try {
    since = statSync(path).mtime.toISOString();
  } catch {}
  return { pid: 0, host: "unknown", since, command: "unknown (the lock file is empty or damaged)" };
}

/** This boot of this host, and when a process started (clock ticks since boot); undefined off Linux. */
export function processIdentity(pid: number): { bootId?: string; startTicks?: number } {
  try {
    const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const startTicks = startTicksOf(pid);
    return startTicks === undefined ? { bootId } : { bootId, startTicks };
  } catch {
    return {};
  }
}

function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, starttime field 22.
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Proof, not a guess, that the holder is gone: it recorded this host and this boot, and its pid
 * either names no process or a process that started after it (the pid was reused).
 */
export function provablyDead(holder: LockHolder): boolean {
  if (holder.host !== hostname() || holder.bootId === undefined || holder.startTicks === undefined)
    return false;
  const here = processIdentity(process.pid);
  if (here.bootId === undefined || here.bootId !== holder.bootId) return false;
  let exists = true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    exists = !isCode(error, "ESRCH");
  }
  if (!exists) return true;
  const started = startTicksOf(holder.pid);
  return started !== undefined && started > holder.startTicks;
}

/** On this host with a process that no longer exists (pid reuse can hide staleness, never fake it). */
export function isStale(holder: LockHolder): boolean {
  if (holder.pid <= 0) return true;
  if (provablyDead(holder)) return true;
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return isCode(error, "ESRCH");
  }
}

/** Removes the lock only if it is still ours (not broken and retaken by someone else). */
export function releaseLock(lock: OwnedLock): void {
  if (!stillHeld(lock)) return;
  removeLock(lock.path);
}

export function stillHeld(lock: OwnedLock): boolean {
  return readRaw(lock.path)?.token === lock.token;
}

export function removeLock(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isCode(error, "ENOENT")) throw error;
  }
  fsyncDir(dirname(path));
}
