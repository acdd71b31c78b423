import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LockHeldError } from "./errors.ts";
import { createFileBackend } from "./file-backend.ts";
import { processIdentity } from "./file-lock.ts";
import type { LockHolder } from "./types.ts";

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function withLock(holder: LockHolder): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-lock-"));
  temps.push(dir);
  mkdirSync(join(dir, "locks"), { recursive: true });
  writeFileSync(join(dir, "locks", "web.lock"), JSON.stringify({ ...holder, token: "theirs" }));
  return dir;
}

const here = processIdentity(process.pid);
const base = { host: hostname(), since: "2026-01-01T00:00:00.000Z", command: "apply" };

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

describe.skipIf(here.bootId === undefined)("the file lock of a provably dead holder", () => {
  it("is taken over when its pid is gone on this host and boot, and says so", async () => {
    const holder = { ...base, pid: await deadPid(), bootId: here.bootId!, startTicks: 1 };
    const backend = createFileBackend(withLock(holder));
    const told: LockHolder[] = [];
    const writer = await backend.open("web", { command: "apply", onTakeover: (dead) => told.push(dead) });
    expect(told).toEqual([holder]);
    expect((await backend.lockHolder("web"))?.pid).toBe(process.pid);
    await writer.close();
  });

  it("is taken over when its pid now names a younger process (pid reuse)", async () => {
    const holder = { ...base, pid: process.pid, bootId: here.bootId!, startTicks: here.startTicks! - 1 };
    const backend = createFileBackend(withLock(holder));
    const writer = await backend.open("web", { command: "apply" });
    await writer.close();
  });

  it("is not taken over while its process lives, nor from another boot, nor from an old lock without proof", async () => {
    const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const alive = processIdentity(live.pid!);
      const holders: LockHolder[] = [
        { ...base, pid: live.pid!, ...alive },
        { ...base, pid: await deadPid(), bootId: "another-boot", startTicks: 1 },
        { ...base, pid: await deadPid() },
      ];
      for (const holder of holders) {
        const error = await createFileBackend(withLock(holder))
          .open("web", { command: "apply" })
          .catch((e: unknown) => e);
        expect(error, JSON.stringify(holder)).toBeInstanceOf(LockHeldError);
      }
    } finally {
      live.kill("SIGKILL");
    }
  });

  it("says whom it waits for before waiting", async () => {
    const holder = { ...base, pid: process.pid, ...here, command: "destroy" };
    const backend = createFileBackend(withLock(holder));
    const waited: LockHolder[] = [];
    const error = await backend
      .open("web", { command: "apply", waitMs: 120, onWait: (who) => waited.push(who) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect(waited).toEqual([holder]);
  });
});
