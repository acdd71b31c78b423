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
 * Creates the lock file with O_EXCL ("wx") holding the holder as JSON. When it exists, fails at once
 * with `LockHeldError`, or polls until `waitMs` has passed. A dead holder is reported, never broken.
 */
export async function acquireLock(
  path: string,
  deployment: string,
  command: string,
  waitMs = 0,
): Promise<OwnedLock> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + Math.max(0, waitMs);
  for (;;) {
    const owned = tryCreate(path, command);
    if (owned) return owned;
    const holder = await readHolderSettled(path);
    if (!holder) continue; // released in between: try again at once
    if (Date.now() >= deadline) throw new LockHeldError(deployment, holder, isStale(holder));
    await sleep(POLL_MS);
  }
}

function tryCreate(path: string, command: string): OwnedLock | undefined {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if (isCode(error, "EEXIST")) return undefined;
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command };
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

/** On this host with a process that no longer exists (pid reuse can hide staleness, never fake it). */
export function isStale(holder: LockHolder): boolean {
  if (holder.pid <= 0) return true;
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
