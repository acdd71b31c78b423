import { type ChildProcess, spawn } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { describeStateBackend, sampleRecord } from "./backend-suite.ts";
import { LockHeldError } from "./errors.ts";
import { createFileBackend } from "./file-backend.ts";
import type { DeploymentState } from "./types.ts";

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-state-"));
  temps.push(dir);
  return dir;
}

describeStateBackend("file", async () => {
  const dir = tempDir();
  return {
    backend: createFileBackend(dir),
    peer: () => createFileBackend(dir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe("file backend", () => {
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const journalLines = (dir: string, name: string) =>
    readFileSync(join(dir, "state", `${name}.journal`), "utf8")
      .split("\n")
      .filter(Boolean);

  it("lays out document, journal, history and lock as documented", async () => {
    const dir = tempDir();
    const backend = createFileBackend(dir);
    expect(backend.describe()).toBe(`file ${join(dir, "state")}`);
    const writer = await backend.open("web", { command: "apply" });
    const lock = JSON.parse(readFileSync(join(dir, "locks", "web.lock"), "utf8"));
    expect(lock).toMatchObject({ pid: process.pid, command: "apply" });
    await writer.putResource(sampleRecord("a"));
    expect(journalLines(dir, "web").map((line) => JSON.parse(line).op)).toEqual(["put"]);
    await writer.commit();
    expect(journalLines(dir, "web")).toEqual([]);
    const document = JSON.parse(readFileSync(join(dir, "state", "web.json"), "utf8"));
    expect(document).toMatchObject({
      format: "mcp-iac.state/v1",
      seq: 1,
      state: { name: "web", version: 1 },
    });
    expect(JSON.parse(readFileSync(join(dir, "history", "web", "1.json"), "utf8"))).toEqual(document);
    await writer.close();
    expect(existsSync(join(dir, "locks", "web.lock"))).toBe(false);
    expect((statSync(join(dir, "state", "web.json")).mode & 0o777).toString(8)).toBe("600");
  });

  it("reports a dead holder's lock as stale instead of breaking it; forceUnlock breaks it", async () => {
    const dir = tempDir();
    const backend = createFileBackend(dir);
    const child = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => child.once("exit", resolve));
    mkdirSync(join(dir, "locks"), { recursive: true });
    const holder = {
      pid: child.pid,
      host: (await import("node:os")).hostname(),
      since: "2025-01-01T00:00:00.000Z",
      command: "apply",
    };
    writeFileSync(join(dir, "locks", "web.lock"), JSON.stringify(holder));
    const error = await backend.open("web", { command: "apply" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).stale).toBe(true);
    expect((error as LockHeldError).message).toMatch(/no longer running.*stale.*--force-unlock/);
    expect(await backend.lockHolder("web")).toEqual(holder);
    expect(await backend.forceUnlock("web")).toEqual(holder);
    await (await backend.open("web", { command: "apply" })).close();
  });

  it("reports an empty lock file (a kill between create and write) as a stale lock", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "locks"), { recursive: true });
    writeFileSync(join(dir, "locks", "web.lock"), "");
    const backend = createFileBackend(dir);
    await expect(backend.open("web", { command: "apply" })).rejects.toThrow(/damaged.*stale/);
    expect((await backend.forceUnlock("web"))?.pid).toBe(0);
  });

  it("ignores a torn journal tail when reading, and drops it when the next writer opens", async () => {
    const dir = tempDir();
    const backend = createFileBackend(dir);
    const writer = await backend.open("web", { command: "apply" });
    for (const name of ["a", "b", "c"]) await writer.putResource(sampleRecord(name));
    // What a write cut off by kill -9 leaves: the start of a line without its newline.
    appendFileSync(
      join(dir, "state", "web.journal"),
      '{"seq":4,"at":"2025-01-01T00:00:00.000Z","op":"put","rec',
    );
    const read = await backend.read("web");
    expect(Object.keys(read?.resources ?? {})).toEqual(["a", "b", "c"]);
    await backend.forceUnlock("web");
    const next = await backend.open("web", { command: "apply" });
    expect(Object.keys(next.state.resources)).toEqual(["a", "b", "c"]);
    await next.putResource(sampleRecord("d"));
    expect(journalLines(dir, "web").map((line) => JSON.parse(line).seq)).toEqual([1, 2, 3, 4]);
    expect(Object.keys((await backend.read("web"))?.resources ?? {})).toEqual(["a", "b", "c", "d"]);
    await next.close();
  });

  it("skips journal entries already folded into the document (crash between rename and journal reset)", async () => {
    const dir = tempDir();
    const backend = createFileBackend(dir);
    const writer = await backend.open("web", { command: "apply" });
    const op = await writer.beginOperation({
      runId: "r",
      name: "a",
      type: "mock:test:item",
      server: "mock",
      action: "create",
    });
    await writer.settleOperation(op.opId, { put: sampleRecord("a") });
    const journal = readFileSync(join(dir, "state", "web.journal"));
    await writer.commit();
    writeFileSync(join(dir, "state", "web.journal"), journal); // as if the reset never happened
    const read = await backend.read("web");
    expect(read?.pending).toEqual({});
    expect(Object.keys(read?.resources ?? {})).toEqual(["a"]);
    await writer.close();
  });

  it("keeps the last 20 versions and ignores leftover temp files", async () => {
    const dir = tempDir();
    const backend = createFileBackend(dir);
    const writer = await backend.open("web", { command: "apply" });
    for (let i = 0; i < 25; i++) {
      await writer.putResource(sampleRecord(`r-${i}`));
      await writer.commit();
    }
    await writer.close();
    const versions = (await backend.history("web")).map((entry) => entry.version);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
    expect(await backend.readVersion("web", 5)).toBeUndefined();
    expect(Object.keys((await backend.readVersion("web", 6))?.resources ?? {})).toHaveLength(6);
    await expect(backend.readVersion("web", -1)).rejects.toThrow(/whole number/);

    const leftover = join(dir, "state", ".web.json.999.deadbeef.tmp");
    writeFileSync(leftover, '{"half":');
    expect((await backend.list()).map((entry) => entry.name)).toEqual(["web"]);
    await (await backend.open("web", { command: "apply" })).close();
    expect(existsSync(leftover)).toBe(false);
  });

  it("compacts on its own when the journal grows, and a reader follows", async () => {
    const dir = tempDir();
    const backend = createFileBackend(dir, { compactEntries: 10, compactBytes: 1 << 30 });
    const writer = await backend.open("web", { command: "apply" });
    for (let i = 0; i < 100; i++) await writer.putResource(sampleRecord(`r-${i}`));
    expect(backend.stats().compactions).toBeGreaterThan(2);
    expect(journalLines(dir, "web").length).toBeLessThan(100);
    expect(Object.keys((await backend.read("web"))?.resources ?? {})).toHaveLength(100);
    await writer.close();
  });

  it("shares one fsync among overlapping begins (group commit)", async () => {
    const backend = createFileBackend(tempDir());
    const writer = await backend.open("web", { command: "apply" });
    const ops = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        writer.beginOperation({
          runId: "r",
          name: `r-${i}`,
          type: "mock:test:item",
          server: "mock",
          action: "create",
        }),
      ),
    );
    expect(new Set(ops.map((op) => op.opId)).size).toBe(50);
    expect(Object.keys((await backend.read("web"))?.pending ?? {})).toHaveLength(50);
    expect(backend.stats().journalSyncs).toBeGreaterThan(0);
    expect(backend.stats().journalSyncs).toBeLessThan(50);
    await writer.close();
  });

  it("writes the entries appended together in one write, and each is on disk when its call returns", async () => {
    const dir = tempDir();
    const backend = createFileBackend(dir, { fsync: "never" });
    const writer = await backend.open("web", { command: "apply" });
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await writer.putResource(sampleRecord(`r-${i}`));
        // Resolved means written: a kill -9 now would not lose it.
        expect(journalLines(dir, "web").some((line) => line.includes(`"r-${i}"`))).toBe(true);
      }),
    );
    expect(backend.stats().journalWrites).toBeGreaterThan(0);
    expect(backend.stats().journalWrites).toBeLessThan(10);
    await writer.close();
  });

  it("releases the lock when the process exits without closing, keeping what it recorded", async () => {
    const dir = tempDir();
    const module = fileURLToPath(new URL("./file-backend.ts", import.meta.url));
    const script = `
      const { createFileBackend } = await import(${JSON.stringify(module)});
      const writer = await createFileBackend(${JSON.stringify(dir)}).open("web", { command: "apply" });
      await writer.beginOperation({ runId: "r", name: "a", type: "mock:test:item", server: "mock", action: "create" });
      process.exit(0);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" });
    expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(0);
    const backend = createFileBackend(dir);
    expect(await backend.lockHolder("web")).toBeUndefined();
    expect(Object.values((await backend.read("web"))?.pending ?? {}).map((op) => op.name)).toEqual(["a"]);
  });

  it("survives kill -9 at random moments: every read parses and is consistent, no duplicate, no orphan", async () => {
    const dir = tempDir();
    const name = "killme";
    // Killed runs aim at more than they can reach; the last run aims a little past where they stopped.
    const endless = 1_000_000;
    const providerLog = join(dir, "provider.log");
    const fixture = fileURLToPath(new URL("./fixtures/apply-loop.ts", import.meta.url));
    const backend = createFileBackend(dir);
    const problems: string[] = [];
    let reads = 0;
    let stop = false;

    const check = (state: DeploymentState) => {
      const count = Object.keys(state.resources).length;
      for (let i = 0; i < count; i++) {
        const record = state.resources[`r-${i}`];
        if (!record?.id.startsWith(`r-${i}@`)) problems.push(`r-${i} missing or wrong among ${count}`);
      }
      const pending = Object.values(state.pending);
      if (pending.length > 1) problems.push(`${pending.length} pending operations`);
      if (pending[0] && pending[0].name !== `r-${count}`)
        problems.push(`pending ${pending[0].name} with ${count} resources`);
    };
    const reader = (async () => {
      while (!stop) {
        try {
          const state = await backend.read(name);
          if (state) check(state);
          if (existsSync(join(dir, "state", `${name}.json`))) {
            JSON.parse(readFileSync(join(dir, "state", `${name}.json`), "utf8"));
          }
          reads++;
        } catch (error) {
          problems.push(String(error));
        }
        await sleep(1);
      }
    })();

    const run = (total: number): ChildProcess =>
      spawn(process.execPath, [fixture, "file", dir, name, String(total), providerLog], {
        stdio: ["ignore", "pipe", "inherit"],
      });
    const exited = (child: ChildProcess) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const unlockIfHeld = async (killedPid: number | undefined) => {
      const holder = await backend.lockHolder(name);
      if (!holder) return;
      expect([killedPid, 0]).toContain(holder.pid);
      // A killed run on this host is provably dead: the next open takes its lock over by itself.
      if (holder.pid !== 0 && holder.bootId) {
        await (await backend.open(name, { command: "apply" })).close();
        return;
      }
      await expect(backend.open(name, { command: "apply" })).rejects.toThrow(/stale/);
      await backend.forceUnlock(name);
    };

    let killedMidRun = 0;
    const cutOff = { beforeProviderCall: 0, afterProviderCall: 0 };
    let lastPid: number | undefined;
    for (let round = 0; round < 24; round++) {
      await unlockIfHeld(lastPid);
      const child = run(endless);
      lastPid = child.pid;
      await sleep(80 + Math.floor(Math.random() * 250));
      if (child.exitCode === null && child.kill("SIGKILL")) killedMidRun++;
      await exited(child);
      const left = Object.values((await backend.read(name))?.pending ?? {});
      const reached =
        existsSync(providerLog) && readFileSync(providerLog, "utf8").includes(`${left[0]?.name} `);
      if (left[0]) cutOff[reached ? "afterProviderCall" : "beforeProviderCall"]++;
    }
    await unlockIfHeld(lastPid);
    const total = Object.keys((await backend.read(name))?.resources ?? {}).length + 100;
    const final = run(total);
    let output = "";
    final.stdout?.on("data", (chunk) => {
      output += String(chunk);
    });
    await exited(final);
    stop = true;
    await reader;

    console.log(
      `kill -9 test: ${killedMidRun} runs killed mid-apply (pending left: ${JSON.stringify(cutOff)}), ` +
        `${total} resources, ${reads} concurrent reads`,
    );
    expect(problems).toEqual([]);
    expect(output).toBe("done\n");
    expect(killedMidRun).toBeGreaterThanOrEqual(20);
    expect(reads).toBeGreaterThan(24);

    const state = await backend.read(name);
    expect(state?.pending).toEqual({});
    expect(Object.keys(state?.resources ?? {})).toHaveLength(total);
    const created = readFileSync(providerLog, "utf8")
      .split("\n")
      .filter((line) => line.includes(" "))
      .map((line) => line.split(" "));
    const names = created.map(([resource]) => resource);
    expect(new Set(names).size).toBe(names.length); // nothing was created twice
    expect(names).toHaveLength(total); // nothing exists that state does not know
    for (const [resource, id] of created) expect(state?.resources[resource ?? ""]?.id).toBe(id);
    expect(readdirSync(join(dir, "state")).filter((file) => file.endsWith(".tmp"))).toEqual([]);
  });

  it("writes linearly: 10,000 puts stay far below 50 MB written", async () => {
    const dir = tempDir();
    const backend = createFileBackend(dir);
    const started = performance.now();
    const writer = await backend.open("big", { command: "apply" });
    for (let i = 0; i < 10_000; i++) {
      await writer.putResource(
        sampleRecord(`resource-${i}`, {
          properties: { index: i, cidr: `10.${i >> 8}.${i & 255}.0/24`, tags: { team: "web" } },
        }),
      );
    }
    await writer.close();
    const state = await backend.read("big");
    const ms = performance.now() - started;
    const stats = backend.stats();
    const written = stats.journalBytes + stats.documentBytes + stats.historyBytes;
    console.log(
      `10,000 puts + read: ${ms.toFixed(0)} ms, ${(written / 1e6).toFixed(1)} MB written ` +
        `(journal ${(stats.journalBytes / 1e6).toFixed(1)}, documents ${(stats.documentBytes / 1e6).toFixed(1)}, ${stats.compactions} compactions)`,
    );
    expect(Object.keys(state?.resources ?? {})).toHaveLength(10_000);
    expect(written).toBeLessThan(50 * 1024 * 1024);
    // Compaction is paced by the journal, so documents cost at most a constant factor of it.
    expect(stats.documentBytes).toBeLessThanOrEqual(3 * stats.journalBytes);
  });
});
