import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, openSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Docker from "dockerode";

/** Where the test engine lives; shared by every test file and run, so a started engine is reused. */
export const TEST_ENGINE_ROOT = "/tmp/mcp-iac-docker";
export const TEST_ENGINE_SOCKET = join(TEST_ENGINE_ROOT, "docker.sock");

export interface TestDockerEngine {
  /** `unix:///…` or whatever DOCKER_HOST said. */
  host: string;
  /** The storage driver the engine runs with (overlay2 where the kernel allows, else vfs). */
  storageDriver: string;
  /** Releases this process's use; the last user of an engine we started stops it. */
  stop(): Promise<void>;
}

export type EnsureEngineResult = TestDockerEngine | { skipped: string };

const START_TIMEOUT_MS = 60_000;

function dockerFor(host: string): Docker {
  if (host.startsWith("unix://")) return new Docker({ socketPath: host.slice("unix://".length) });
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return new Docker({ host: url.hostname, port: Number(url.port), protocol: "http" });
}

async function answers(host: string): Promise<string | undefined> {
  const docker = dockerFor(host);
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("ping timed out")), 3_000).unref()),
    ]);
    const info = (await docker.info()) as { Driver?: string };
    return info.Driver ?? "unknown";
  } catch {
    return undefined;
  }
}

function findDockerd(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/bin", "/sbin"];
  return dirs.map((dir) => join(dir, "dockerd")).find((candidate) => existsSync(candidate));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const usersDir = join(TEST_ENGINE_ROOT, "users");
const pidFile = join(TEST_ENGINE_ROOT, "docker.pid");

/**
 * Test files run in parallel processes (and a worker process may run several files): each use
 * registers a token `<pid>-<random>`, and the last live one out stops the engine.
 */
async function register(): Promise<string> {
  await mkdir(usersDir, { recursive: true });
  for (const name of await readdir(usersDir)) {
    if (!pidAlive(Number(name.split("-")[0]))) await rm(join(usersDir, name), { force: true });
  }
  const token = `${process.pid}-${randomUUID()}`;
  await writeFile(join(usersDir, token), "");
  return token;
}

async function stopStarted(token: string): Promise<void> {
  await rm(join(usersDir, token), { force: true });
  const others = (await readdir(usersDir).catch(() => [] as string[])).filter((name) =>
    pidAlive(Number(name.split("-")[0])),
  );
  if (others.length > 0) return;
  const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
  if (!pid || !pidAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 300 && pidAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** One start attempt with a storage driver; resolves to why it failed, or undefined once it answers. */
async function startWith(dockerd: string, storageDriver: string): Promise<string | undefined> {
  const log = join(TEST_ENGINE_ROOT, `dockerd-${storageDriver}.log`);
  const args = [
    `--data-root=${join(TEST_ENGINE_ROOT, `data-${storageDriver}`)}`,
    `--exec-root=${join(TEST_ENGINE_ROOT, "exec")}`,
    `--pidfile=${pidFile}`,
    `-H`,
    `unix://${TEST_ENGINE_SOCKET}`,
    // No bridge and no iptables: tests use host or no networking, never a private-address bridge.
    "--bridge=none",
    "--iptables=false",
    "--ip6tables=false",
    `--storage-driver=${storageDriver}`,
  ];
  const out = openSync(log, "w");
  const child = spawn(dockerd, args, { detached: true, stdio: ["ignore", out, out] });
  let exited: number | null | undefined;
  child.on("exit", (code) => {
    exited = code;
  });
  child.on("error", () => {
    exited = -1;
  });
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const tail = readFileSync(log, "utf8").trim().split("\n").slice(-3).join(" | ");
      return `dockerd (${storageDriver}) exited with ${exited}: ${tail}`;
    }
    if (await answers(`unix://${TEST_ENGINE_SOCKET}`)) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill("SIGTERM");
  return `dockerd (${storageDriver}) did not answer within ${START_TIMEOUT_MS / 1000}s; see ${log}`;
}

/** Serializes starts across parallel test processes: mkdir is atomic. */
async function withStartLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = join(TEST_ENGINE_ROOT, "start.lock");
  await mkdir(TEST_ENGINE_ROOT, { recursive: true });
  for (let i = 0; ; i++) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, "pid"), String(process.pid));
      break;
    } catch {
      const holder = Number(await readFile(join(lock, "pid"), "utf8").catch(() => "0"));
      if ((holder && !pidAlive(holder)) || i > 800) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * A Docker engine for tests: the one at DOCKER_HOST if it answers, else our own dockerd under
 * /tmp/mcp-iac-docker (reused if already running, started otherwise). `{ skipped }` says why not.
 */
export async function ensureDockerEngine(): Promise<EnsureEngineResult> {
  const fromEnv = process.env.DOCKER_HOST;
  if (fromEnv) {
    const driver = await answers(fromEnv);
    if (driver) return { host: fromEnv, storageDriver: driver, stop: async () => {} };
  }
  const host = `unix://${TEST_ENGINE_SOCKET}`;
  return withStartLock(async () => {
    const token = await register();
    const stop = () => stopStarted(token);
    const running = await answers(host);
    if (running) return { host, storageDriver: running, stop };
    const dockerd = findDockerd();
    if (!dockerd) return { skipped: "dockerd is not installed (apt-get install -y docker.io)" };
    if (process.getuid?.() !== 0) return { skipped: "starting dockerd needs root" };
    const failures: string[] = [];
    for (const driver of ["overlay2", "vfs"]) {
      const failure = await startWith(dockerd, driver);
      if (!failure) return { host, storageDriver: driver, stop };
      failures.push(failure);
    }
    await rm(join(usersDir, token), { force: true });
    return { skipped: `no Docker engine could start here: ${failures.join("; ")}` };
  });
}
