import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { sharedUse } from "../support/shared-use.ts";

/** Where the private test cluster lives; shared by every test file and run, so a started one is reused. */
export const TEST_POSTGRES_ROOT = "/tmp/mcp-iac-postgres";

export interface TestPostgres {
  /** `postgres://user@127.0.0.1:PORT/postgres` (trust auth, no password) or MCP_IAC_TEST_POSTGRES_URL. */
  url: string;
  /** Releases this process's use; the last user of a cluster we started stops it. */
  stop(): Promise<void>;
}

export type EnsurePostgresResult = TestPostgres | { skipped: string };

const run = promisify(execFile);
const dataDir = join(TEST_POSTGRES_ROOT, "data");
const socketDir = join(TEST_POSTGRES_ROOT, "socket");
const clusterFile = join(TEST_POSTGRES_ROOT, "cluster.json");
const logFile = join(TEST_POSTGRES_ROOT, "postgres.log");
/** The test files using the cluster; starts and stops are serialized, the last one out stops it. */
const use = sharedUse(TEST_POSTGRES_ROOT, { mode: 0o755 });

/**
 * A PostgreSQL server for tests: the one at MCP_IAC_TEST_POSTGRES_URL if set, else a private cluster
 * from Debian's binaries under /tmp/mcp-iac-postgres, listening on 127.0.0.1 only (reused if already
 * running, started otherwise). `{ skipped }` says why there is none.
 */
export async function ensurePostgres(): Promise<EnsurePostgresResult> {
  const fromEnv = process.env.MCP_IAC_TEST_POSTGRES_URL;
  if (fromEnv) {
    const problem = await answers(fromEnv);
    if (problem) return { skipped: `MCP_IAC_TEST_POSTGRES_URL does not answer: ${problem}` };
    return { url: fromEnv, stop: async () => {} };
  }
  return use.withStartLock(async () => {
    const token = await use.register();
    const stop = () => stopStarted(token);
    const running = await runningUrl();
    if (running) return { url: running, stop };
    const started = await start();
    if ("skipped" in started) {
      await use.leave(token);
      return started;
    }
    return { url: started.url, stop };
  });
}

async function answers(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function runningUrl(): Promise<string | undefined> {
  const recorded = await readFile(clusterFile, "utf8").catch(() => "");
  if (!recorded) return undefined;
  const { url } = JSON.parse(recorded) as { url: string };
  return (await answers(url)) === undefined ? url : undefined;
}

/** initdb and pg_ctl from PATH, else the newest /usr/lib/postgresql/N/bin (Debian does not put them on PATH). */
function findBinaries(): { initdb: string; pgCtl: string } | undefined {
  const dirs = (process.env.PATH ?? "").split(":").filter(Boolean);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((version) => /^\d+$/.test(version))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((version) => join(debian, version, "bin")));
  }
  for (const dir of dirs) {
    const initdb = join(dir, "initdb");
    const pgCtl = join(dir, "pg_ctl");
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl };
  }
  return undefined;
}

/** The command prefix that runs the server as a non-root user (PostgreSQL refuses to run as root). */
function runAsPrefix(): { prefix: string[]; owner?: { uid: number; gid: number } } | { skipped: string } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) {
    return {
      skipped:
        "running as root and there is no `postgres` system user to run the server as (apt-get install -y postgresql creates one)",
    };
  }
  const owner = { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  if (spawnSync("runuser", ["--help"]).status === 0)
    return { prefix: ["runuser", "-u", "postgres", "--"], owner };
  return { prefix: ["setpriv", `--reuid=${owner.uid}`, `--regid=${owner.gid}`, "--clear-groups"], owner };
}

async function start(): Promise<{ url: string } | { skipped: string }> {
  const binaries = findBinaries();
  if (!binaries) {
    return {
      skipped:
        "PostgreSQL server binaries (initdb, pg_ctl) are not installed (apt-get install -y postgresql)",
    };
  }
  const runAs = runAsPrefix();
  if ("skipped" in runAs) return runAs;
  await stopCluster(binaries.pgCtl, runAs.prefix); // a leftover whose users all died
  await rm(dataDir, { recursive: true, force: true });
  await rm(socketDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  if (runAs.owner) {
    for (const dir of [dataDir, socketDir]) chownSync(dir, runAs.owner.uid, runAs.owner.gid);
  }
  const exec = (file: string, args: string[]) => {
    const [command, ...rest] = [...runAs.prefix, file, ...args];
    return run(command as string, rest, { cwd: TEST_POSTGRES_ROOT, timeout: 120_000 });
  };
  try {
    await exec(binaries.initdb, [
      "-D",
      dataDir,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
  } catch (error) {
    return { skipped: `initdb failed: ${describeFailure(error)}` };
  }
  const port = await freePort();
  // 127.0.0.1 only, a private socket folder, and no fsync: a test cluster is thrown away after the run.
  const serverOptions = [
    "-c listen_addresses=127.0.0.1",
    `-p ${port}`,
    `-k ${socketDir}`,
    "-c fsync=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
  ].join(" ");
  await writeFile(logFile, "");
  if (runAs.owner) chownSync(logFile, runAs.owner.uid, runAs.owner.gid);
  try {
    await exec(binaries.pgCtl, [
      "-D",
      dataDir,
      "-l",
      logFile,
      "-o",
      serverOptions,
      "-w",
      "-t",
      "60",
      "start",
    ]);
  } catch (error) {
    const tail = (await readFile(logFile, "utf8").catch(() => "")).trim().split("\n").slice(-3).join(" | ");
    return { skipped: `pg_ctl start failed: ${describeFailure(error)} ${tail}` };
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const problem = await answers(url);
  if (problem) return { skipped: `the test cluster started but does not answer: ${problem}` };
  await writeFile(clusterFile, JSON.stringify({ url, pgCtl: binaries.pgCtl, prefix: runAs.prefix }));
  return { url };
}

async function stopCluster(pgCtl: string, prefix: string[]): Promise<void> {
  if (!existsSync(join(dataDir, "postmaster.pid"))) return;
  const [command, ...rest] = [...prefix, pgCtl, "-D", dataDir, "-m", "immediate", "-w", "-t", "60", "stop"];
  await run(command as string, rest, { cwd: TEST_POSTGRES_ROOT }).catch(() => {});
}

function describeFailure(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message?: string };
  return (stderr || message || String(error)).trim().split("\n").slice(-3).join(" | ");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function stopStarted(token: string): Promise<void> {
  await use.withStartLock(async () => {
    if (!(await use.leave(token))) return;
    const recorded = await readFile(clusterFile, "utf8").catch(() => "");
    if (!recorded) return;
    const { pgCtl, prefix } = JSON.parse(recorded) as { pgCtl: string; prefix: string[] };
    const [command, ...rest] = [...prefix, pgCtl, "-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"];
    await run(command as string, rest, { cwd: TEST_POSTGRES_ROOT }).catch(() => {});
    await rm(clusterFile, { force: true });
    await rm(dataDir, { recursive: true, force: true });
  });
}
