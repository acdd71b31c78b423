import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Docker from "dockerode";
import { pidAlive, sharedUse } from "../support/shared-use.ts";

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

/** A client for a DOCKER_HOST value (`unix:///…` or `tcp://host:port`). */
export function dockerFor(host: string): Docker {
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

const pidFile = join(TEST_ENGINE_ROOT, "docker.pid");

/** The test files using the engine; the last one out stops an engine we started. */
const use = sharedUse(TEST_ENGINE_ROOT);

async function stopStarted(token: string): Promise<void> {
  if (!(await use.leave(token))) return;
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
  return use.withStartLock(async () => {
    const token = await use.register();
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
    await use.leave(token);
    return { skipped: `no Docker engine could start here: ${failures.join("; ")}` };
  });
}
