import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Client } from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ensurePostgres } from "../../test/postgres/cluster.ts";
import { describeStateBackend, sampleRecord } from "./backend-suite.ts";
import { LockHeldError, StateError } from "./errors.ts";
import {
  createPostgresBackend,
  type PostgresBackendOptions,
  type PostgresStateBackend,
} from "./postgres-backend.ts";
import type { DeploymentState } from "./types.ts";

const cluster = await ensurePostgres();
if ("skipped" in cluster) console.warn(`PostgreSQL state backend tests skipped: ${cluster.skipped}`);
const url = "url" in cluster ? cluster.url : "";
afterAll(async () => {
  if ("stop" in cluster) await cluster.stop();
});

const RUN = { runId: "run-1", type: "mock:test:item", server: "mock" } as const;

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh schema per test, so tests never see each other's rows or locks. */
function freshSchema(): string {
  return `t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
}

const dropSchema = (schema: string) =>
  admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));

// Inside a describe that skips, so a missing server shows as skipped tests rather than none.
describe.skipIf(!("url" in cluster))("postgres", () => {
  describeStateBackend("postgres", async () => {
    const schema = freshSchema();
    const opened: PostgresStateBackend[] = [];
    const make = () => {
      const backend = createPostgresBackend(url, { schema });
      opened.push(backend);
      return backend;
    };
    return {
      backend: make(),
      peer: make,
      cleanup: async () => {
        for (const backend of opened) await backend.close();
        await dropSchema(schema);
      },
    };
  });
});

describe.skipIf(!("url" in cluster))("postgres backend", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  function backendOn(schema: string, options: PostgresBackendOptions = {}): PostgresStateBackend {
    const backend = createPostgresBackend(url, { schema, ...options });
    cleanups.push(() => backend.close());
    return backend;
  }
  function fresh(options: PostgresBackendOptions = {}): { schema: string; backend: PostgresStateBackend } {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    return { schema, backend: backendOn(schema, options) };
  }

  it("describes itself without the password and rejects bad settings without echoing them", async () => {
    const backend = createPostgresBackend("postgresql://alice:s3cret@db.example:6543/iac?password=s3cret", {
      schema: "team_state",
    });
    expect(backend.describe()).toBe("postgres://alice@db.example:6543/iac (schema team_state)");
    await backend.close(); // never connected: nothing to end
    expect(createPostgresBackend("postgres://127.0.0.1/iac").describe()).toBe(
      "postgres://127.0.0.1:5432/iac (schema mcp_iac)",
    );
    const notUrl = (() => {
      try {
        createPostgresBackend("postgres://bob:s3cret@[bad");
      } catch (error) {
        return error;
      }
    })();
    expect(notUrl).toBeInstanceOf(StateError);
    expect(String((notUrl as Error).message)).toMatch(/connection string is not valid/);
    expect(String((notUrl as Error).message)).not.toContain("s3cret");
    expect(() => createPostgresBackend(url, { schema: 'x"; DROP TABLE y' })).toThrow(
      /schema name .* is not valid/,
    );
    expect(() => createPostgresBackend(url, { poolSize: 0 })).toThrow(/poolSize/);
  });

  it("names the server, not the password, when it cannot be reached", async () => {
    const port = new URL(url).port;
    // A port nothing listens on: the cluster's own port plus one is very likely free; any refusal will do.
    const backend = createPostgresBackend(`postgres://alice:s3cret@127.0.0.1:${Number(port) + 1}/none`);
    cleanups.push(() => backend.close());
    const error = await backend.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).code).toBe("STATE_BACKEND_UNAVAILABLE");
    expect((error as StateError).message).toContain(`postgres://alice@127.0.0.1:${Number(port) + 1}/none`);
    expect((error as StateError).message).not.toContain("s3cret");
  });

  it("records each step as one journal row and folds them in one commit", async () => {
    const { schema, backend } = fresh();
    const writer = await backend.open("web", { command: "apply" });
    const rows = (table: string) =>
      admin(async (client) =>
        Number((await client.query(`SELECT count(*) FROM "${schema}".${table}`)).rows[0].count),
      );
    const op = await writer.beginOperation({ ...RUN, name: "app", action: "create" });
    await writer.settleOperation(op.opId, { put: sampleRecord("app") });
    await writer.putResource(sampleRecord("db"));
    expect(await rows("journal")).toBe(3);
    expect(await rows("history")).toBe(0);
    const document = await admin(
      async (client) =>
        (await client.query(`SELECT version, seq, document FROM "${schema}".deployments WHERE name = 'web'`))
          .rows[0],
    );
    expect(document).toMatchObject({ version: 0, seq: "0", document: { resources: {} } });
    expect(await writer.commit()).toBe(1);
    expect(await rows("journal")).toBe(0);
    expect(await rows("history")).toBe(1);
    const columns = await admin(
      async (client) =>
        (
          await client.query(
            "SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position) AS columns FROM information_schema.columns WHERE table_schema = $1 GROUP BY table_name ORDER BY table_name",
            [schema],
          )
        ).rows,
    );
    expect(columns).toEqual([
      { table_name: "deployments", columns: "name,version,seq,document,updated_at" },
      { table_name: "history", columns: "name,version,document,updated_at" },
      { table_name: "journal", columns: "name,seq,entry" },
      { table_name: "lock_epochs", columns: "name,epoch" },
      { table_name: "locks", columns: "name,pid,host,since,command,backend_pid,lock_key,token" },
      // The workspace key secret digests are stored under (one row).
      { table_name: "secret_key", columns: "id,key" },
    ]);
    await writer.close();
  });

  it("fails a second client's open at once, naming the holder and its live session", async () => {
    const { schema, backend } = fresh();
    const other = backendOn(schema);
    const writer = await backend.open("web", { command: "apply" });
    const error = await other.open("web", { command: "destroy" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    const locked = error as LockHeldError;
    expect(locked.stale).toBe(false);
    expect(locked.holder).toMatchObject({ pid: process.pid, host: hostname(), command: "apply" });
    expect(locked.message).toContain(`pid ${process.pid} on host ${hostname()}`);
    const session = await admin(
      async (client) =>
        (
          await client.query(
            `SELECT a.application_name FROM "${schema}".locks l JOIN pg_stat_activity a ON a.pid = l.backend_pid`,
          )
        ).rows,
    );
    expect(session).toEqual([{ application_name: "mcp-iac apply web" }]);
    await writer.close();
    await (await other.open("web", { command: "destroy" })).close();
  });

  it("frees the lock when the writer's session is killed; the next open clears the stale row", async () => {
    const notices: string[] = [];
    const { schema, backend } = fresh();
    const next = backendOn(schema, { onNotice: (message) => notices.push(message) });
    const first = await backend.open("web", { command: "apply" });
    await first.putResource(sampleRecord("db"));
    const op = await first.beginOperation({ ...RUN, name: "app", action: "create" });
    const holder = await backend.lockHolder("web");
    await admin((client) =>
      client.query(`SELECT pg_terminate_backend(backend_pid) FROM "${schema}".locks WHERE name = 'web'`),
    );
    await expect(first.putResource(sampleRecord("late"))).rejects.toThrow(/PostgreSQL session .* ended/);

    // The session ends asynchronously on the server; waitMs covers that moment.
    const second = await next.open("web", { command: "apply", waitMs: 5_000 });
    expect(second.clearedStaleLock).toEqual(holder);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /cleared the stale lock of pid \d+ .*session had ended, which released the lock/,
    );
    expect(second.state.pending[op.opId]).toEqual(op);
    expect(Object.keys(second.state.resources)).toEqual(["db"]);
    const secondHolder = await next.lockHolder("web");
    expect(secondHolder).not.toEqual(holder);
    await first.close().catch(() => {});
    expect(await next.lockHolder("web")).toEqual(secondHolder);
    await second.settleOperation(op.opId, {});
    await second.close();
    expect((await backend.read("web"))?.pending).toEqual({});
  });

  it("breaks a lock without terminating the holder's session, which can then write nothing", async () => {
    const { schema, backend } = fresh();
    const first = await backend.open("web", { command: "apply" });
    await first.putResource(sampleRecord("a"));
    const backendPid = await admin(
      async (client) => (await client.query(`SELECT backend_pid FROM "${schema}".locks`)).rows[0].backend_pid,
    );
    expect((await backend.forceUnlock("web"))?.command).toBe("apply");
    const alive = await admin(
      async (client) =>
        (await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1", [backendPid]))
          .rows[0].n,
    );
    expect(alive).toBe(1);
    await expect(first.putResource(sampleRecord("b"))).rejects.toThrow(/was broken \(--force-unlock\)/);
    await expect(first.beginOperation({ ...RUN, name: "c", action: "create" })).rejects.toThrow(/broken/);
    const second = await backend.open("web", { command: "apply" });
    expect(Object.keys(second.state.resources)).toEqual(["a"]);
    // Broken again while its session lives on: each break moves the lock along.
    await backend.forceUnlock("web");
    const third = await backend.open("web", { command: "apply" });
    await expect(second.putResource(sampleRecord("b"))).rejects.toThrow(/broken/);
    await third.putResource(sampleRecord("c"));
    await third.close();
    await second.close().catch(() => {});
    await first.close().catch(() => {});
    expect(Object.keys((await backend.read("web"))?.resources ?? {}).sort()).toEqual(["a", "c"]);
    expect(await backend.lockHolder("web")).toBeUndefined();
  });

  it("keeps the last 20 versions and commits on its own when the journal grows", async () => {
    const { backend } = fresh({ compactEntries: 10 });
    const writer = await backend.open("web", { command: "apply" });
    for (let i = 0; i < 5; i++) await writer.putResource(sampleRecord(`r-${i}`));
    expect(await backend.history("web")).toEqual([]);
    for (let i = 5; i < 250; i++) await writer.putResource(sampleRecord(`r-${i}`));
    const history = await backend.history("web");
    expect(history.map((entry) => entry.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
    expect(history.at(-1)?.resources).toBe(250);
    expect(Object.keys((await backend.read("web"))?.resources ?? {})).toHaveLength(250);
    expect(await backend.readVersion("web", 5)).toBeUndefined();
    expect(Object.keys((await backend.readVersion("web", 6))?.resources ?? {})).toHaveLength(60);
    await expect(backend.readVersion("web", 0)).rejects.toThrow(/whole number/);
    await writer.close();
  });

  it("refuses a NUL character before journaling it (jsonb cannot hold it)", async () => {
    const { backend } = fresh();
    const writer = await backend.open("web", { command: "apply" });
    await expect(writer.putResource(sampleRecord("a", { properties: { note: "a\u0000b" } }))).rejects.toThrow(
      /NUL character/,
    );
    await writer.putResource(sampleRecord("b", { properties: { note: "a\\u0000b" } })); // a backslash, not a NUL
    await writer.close();
    expect((await backend.read("web"))?.resources["b"]?.properties).toEqual({ note: "a\\u0000b" });
  });

  it("closes open writers with the backend, without committing, so the next open clears nothing", async () => {
    const { schema, backend } = fresh();
    const writer = await backend.open("web", { command: "apply" });
    await writer.putResource(sampleRecord("a"));
    await backend.close();
    await expect(writer.putResource(sampleRecord("b"))).rejects.toBeInstanceOf(StateError);
    await expect(backend.list()).rejects.toThrow(/closed/);
    const other = backendOn(schema);
    expect(await other.lockHolder("web")).toBeUndefined();
    const read = await other.read("web");
    expect(read?.version).toBe(0);
    expect(Object.keys(read?.resources ?? {})).toEqual(["a"]);
  });

  describe("kill -9 of a writer process", () => {
    const fixture = fileURLToPath(new URL("./fixtures/apply-loop.ts", import.meta.url));
    const temps: string[] = [];
    afterEach(() => {
      for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    const run = (schema: string, providerLog: string, total: number, pauseAt?: number): ChildProcess =>
      spawn(
        process.execPath,
        [
          fixture,
          "postgres",
          url,
          schema,
          "killme",
          String(total),
          providerLog,
          ...(pauseAt === undefined ? [] : [String(pauseAt)]),
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
    const exited = (child: ChildProcess) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const output = (child: ChildProcess) => {
      let text = "";
      child.stdout?.on("data", (chunk) => {
        text += String(chunk);
      });
      return () => text;
    };
    const providerNames = (log: string) =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .split("\n")
            .filter((line) => line.includes(" "))
            .map((line) => line.split(" ") as [string, string])
        : [];

    function checkFinal(state: DeploymentState | undefined, providerLog: string, total: number): void {
      expect(state?.pending).toEqual({});
      expect(Object.keys(state?.resources ?? {})).toHaveLength(total);
      const created = providerNames(providerLog);
      const names = created.map(([resource]) => resource);
      expect(new Set(names).size).toBe(names.length); // nothing was created twice
      expect(names).toHaveLength(total); // nothing exists that state does not know
      for (const [resource, id] of created) expect(state?.resources[resource]?.id).toBe(id);
      expect(state?.lastRun?.outcome).toBe("succeeded");
    }

    it("shows the killed run's pending operation, and the next run reconciles it without --force-unlock", async () => {
      const { schema, backend } = fresh();
      const providerLog = join(mkdtempSync(join(tmpdir(), "mcp-iac-pg-")), "provider.log");
      temps.push(join(providerLog, ".."));
      const paused = run(schema, providerLog, 10, 3);
      const text = output(paused);
      for (let i = 0; i < 600 && !text().includes("begun "); i++) await sleep(50);
      const opId = /begun (\S+)/.exec(text())?.[1];
      expect(opId).toBeDefined();
      paused.kill("SIGKILL");
      await exited(paused);

      const state = await backend.read("killme");
      expect(Object.keys(state?.resources ?? {}).sort()).toEqual(["r-0", "r-1", "r-2"]);
      expect(Object.values(state?.pending ?? {})).toEqual([
        expect.objectContaining({ opId, name: "r-3", action: "create" }),
      ]);
      expect((await backend.lockHolder("killme"))?.pid).toBe(paused.pid);

      const final = run(schema, providerLog, 10);
      const finalText = output(final);
      await exited(final);
      expect(finalText()).toBe("done\n");
      expect(await backend.lockHolder("killme")).toBeUndefined();
      checkFinal(await backend.read("killme"), providerLog, 10);
    });

    it("reads consistently while runs are killed at random moments: no duplicate, no orphan", async () => {
      const { schema, backend } = fresh();
      const providerLog = join(mkdtempSync(join(tmpdir(), "mcp-iac-pg-")), "provider.log");
      temps.push(join(providerLog, ".."));
      const problems: string[] = [];
      let reads = 0;
      let stop = false;
      const check = (state: DeploymentState) => {
        const count = Object.keys(state.resources).length;
        for (let i = 0; i < count; i++) {
          if (!state.resources[`r-${i}`]?.id.startsWith(`r-${i}@`))
            problems.push(`r-${i} missing among ${count}`);
        }
        const pending = Object.values(state.pending);
        if (pending.length > 1) problems.push(`${pending.length} pending operations`);
        if (pending[0] && pending[0].name !== `r-${count}`)
          problems.push(`pending ${pending[0].name} with ${count}`);
      };
      const reader = (async () => {
        while (!stop) {
          try {
            const state = await backend.read("killme");
            if (state) check(state);
            reads++;
          } catch (error) {
            problems.push(String(error));
          }
          await sleep(2);
        }
      })();

      let killed = 0;
      let pendingSeen = 0;
      for (let round = 0; round < 12; round++) {
        const child = run(schema, providerLog, 1_000_000);
        await sleep(400 + Math.floor(Math.random() * 400));
        if (child.exitCode === null && child.kill("SIGKILL")) killed++;
        await exited(child);
        if (Object.keys((await backend.read("killme"))?.pending ?? {}).length > 0) pendingSeen++;
      }
      const total = Object.keys((await backend.read("killme"))?.resources ?? {}).length + 50;
      const final = run(schema, providerLog, total);
      const finalText = output(final);
      await exited(final);
      stop = true;
      await reader;
      console.log(
        `postgres kill -9 test: ${killed} runs killed mid-apply, ${pendingSeen} left a pending operation, ` +
          `${total} resources, ${reads} concurrent reads`,
      );
      expect(problems).toEqual([]);
      expect(finalText()).toBe("done\n");
      expect(killed).toBeGreaterThanOrEqual(10);
      checkFinal(await backend.read("killme"), providerLog, total);
    });
  });

  it("records 10,000 begin+settle pairs", async () => {
    const { backend } = fresh();
    const started = performance.now();
    const writer = await backend.open("big", { command: "apply" });
    for (let i = 0; i < 10_000; i++) {
      const name = `resource-${i}`;
      const op = await writer.beginOperation({ ...RUN, name, action: "create" });
      await writer.settleOperation(op.opId, {
        put: sampleRecord(name, {
          properties: { index: i, cidr: `10.${i >> 8}.${i & 255}.0/24`, tags: { team: "web" } },
        }),
      });
    }
    const recorded = performance.now();
    await writer.close();
    const state = await backend.read("big");
    const ms = performance.now() - started;
    console.log(
      `postgres: 10,000 begin+settle pairs in ${(recorded - started).toFixed(0)} ms ` +
        `(${(((recorded - started) / 10_000) * 1000).toFixed(0)} µs a pair), close + read ${(ms - (recorded - started)).toFixed(0)} ms, ` +
        `${(await backend.history("big")).length} versions`,
    );
    expect(Object.keys(state?.resources ?? {})).toHaveLength(10_000);
    expect(state?.pending).toEqual({});
  });
});
