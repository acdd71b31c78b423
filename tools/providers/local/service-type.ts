import { randomUUID } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { type PropertyMap, ProviderError, type ResourceTypeHandler } from "../../protocol/index.ts";
import { groupAlive, processAlive, processStartTime } from "./process-identity.ts";
import {
  environmentOf,
  environmentSchema,
  notManaged,
  tail,
  validateWorkingFolder,
  WORKING_FOLDER_SCHEMA,
  withSecretDigest,
  workingFolderOf,
} from "./property-parts.ts";
import type { ManagedRecord, RecordStore } from "./record-store.ts";
import { redact } from "./run-shell.ts";

export const SERVICE_TYPE = "local:process:service";
export const DEFAULT_START_TIMEOUT_MS = 30_000;
const LOG_TAIL = 2_000;

interface ServiceInternal {
  pid: number;
  startTime?: string;
  logFile: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function portAccepts(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function logTail(logFile: string, secrets: readonly string[]): Promise<string> {
  const text = await readFile(logFile, "utf8").catch(() => "");
  return tail(redact(text.trim(), secrets), LOG_TAIL);
}

function internalOf(record: ManagedRecord): ServiceInternal {
  return record.internal as unknown as ServiceInternal;
}

/** The schema half of the handler: constant, so it lives outside the factory. */
const SERVICE_SCHEMA: Pick<
  ResourceTypeHandler,
  "type" | "description" | "properties" | "outputs" | "secretProperties"
> = {
  type: SERVICE_TYPE,
  description:
    "A long-running process on this machine (a dev server, a local daemon), started detached with its output in a log file, health-checked on a 127.0.0.1 port, stopped on delete. Any change restarts it.",
  properties: {
    type: "object",
    required: ["command"],
    additionalProperties: false,
    properties: {
      command: {
        anyOf: [
          { type: "string", minLength: 1, description: "A command line, run with the system shell." },
          {
            type: "array",
            items: { type: "string" },
            minItems: 1,
            description: "A program and its arguments.",
          },
        ],
      },
      cwd: WORKING_FOLDER_SCHEMA,
      env: environmentSchema("Extra environment variables; secret: never shown."),
      port: {
        type: "integer",
        minimum: 1,
        maximum: 65535,
        description: "Wait until 127.0.0.1:port accepts TCP.",
      },
      startTimeoutMs: { type: "integer", minimum: 1, description: `Default ${DEFAULT_START_TIMEOUT_MS}.` },
    },
    examples: [{ command: ["sleep", "600"] }, { command: ["sleep", "601"], env: { PURPOSE: "example" } }],
  },
  outputs: {
    type: "object",
    properties: {
      id: { type: "string" },
      pid: { type: "integer" },
      port: { type: "integer" },
      url: { type: "string", description: "http://127.0.0.1:port when a port is given." },
      logFile: { type: "string" },
    },
  },
  secretProperties: ["env"],
};

interface ServiceOptions {
  cwd: string;
  stateDir: string;
  records: RecordStore;
  stopGraceMs: number;
}

/** How the detached shell ended, once it has. */
interface ServiceExit {
  exitCode?: number | undefined;
  signal?: string | undefined;
  failed: boolean;
}

/** What the health check needs to know about a service just spawned. */
interface Started {
  id: string;
  pid: number;
  startTime: string | undefined;
  logFile: string;
  port: number | undefined;
  secrets: readonly string[];
  exited: () => ServiceExit | undefined;
}

/** SIGTERM to the whole group, SIGKILL after the grace period, then wait until it is gone. */
async function stopGroup(pid: number, stopGraceMs: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // The group is gone already.
    }
  };
  signal("SIGTERM");
  const graceEnd = Date.now() + stopGraceMs;
  while (groupAlive(pid) && Date.now() < graceEnd) await sleep(50);
  if (groupAlive(pid)) signal("SIGKILL");
  const killEnd = Date.now() + 5_000;
  while (processAlive(pid) && Date.now() < killEnd) await sleep(50);
}

/** Refuses a port already taken: the health check could not tell the service from what holds it. */
async function assertPortFree(port: number | undefined): Promise<void> {
  if (port !== undefined && (await portAccepts(port))) {
    throw new ProviderError(
      "CONFLICT",
      `port ${port} on 127.0.0.1 already accepts connections, so the health check could not tell this service from what holds it; stop that or pick another port`,
    );
  }
}

async function newLogFile(stateDir: string, id: string): Promise<string> {
  const logDir = join(stateDir, "logs");
  await mkdir(logDir, { recursive: true });
  const logFile = join(logDir, `${id}.log`);
  await writeFile(logFile, "", { mode: 0o600 });
  return logFile;
}

/** Starts the command in its own process group with its output in the log; throws if it cannot. */
async function spawnDetached(
  command: unknown,
  options: { folder: string; env: Record<string, string>; logFile: string; secrets: readonly string[] },
): Promise<{ pid: number; exited: () => ServiceExit | undefined }> {
  const { folder, env, logFile, secrets } = options;
  // The shell opens the log itself: a pipe through this process would break when the provider exits.
  const redirect = 'exec >>"$0" 2>&1 </dev/null';
  const script = Array.isArray(command) ? `${redirect}; exec "$@"` : `${redirect}\n${String(command)}`;
  const args = Array.isArray(command) ? [logFile, ...command.map(String)] : [logFile];
  const subprocess = execa("/bin/sh", ["-c", script, ...args], {
    cwd: folder,
    env,
    extendEnv: true,
    stdio: "ignore",
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
  });
  let exited: ServiceExit | undefined;
  // With reject off the promise never rejects; observing it tells us about an early exit.
  void subprocess.then((result) => {
    exited = result;
  });
  subprocess.unref();
  const pid = subprocess.pid;
  if (pid === undefined) {
    const result = await subprocess;
    await rm(logFile, { force: true });
    throw new ProviderError(
      "VALIDATION_FAILED",
      `the service could not start: ${redact(result.shortMessage ?? "", secrets)}`,
    );
  }
  return { pid, exited: () => exited };
}

function serviceRecord(
  started: Started,
  properties: PropertyMap,
  context: { deploymentId: string; name: string },
): ManagedRecord {
  const { id, pid, logFile, port, startTime } = started;
  const internal: ServiceInternal = { pid, logFile };
  if (startTime !== undefined) internal.startTime = startTime;
  const outputs: PropertyMap = { id, pid, logFile };
  if (port !== undefined) Object.assign(outputs, { port, url: `http://127.0.0.1:${port}` });
  return {
    type: SERVICE_TYPE,
    id,
    name: context.name,
    deploymentId: context.deploymentId,
    properties: withSecretDigest(properties, "env"),
    outputs,
    internal: internal as unknown as Record<string, unknown>,
  };
}

/** Waits until the port accepts (or at once without one); an early exit or the timeout is a failure. */
async function waitUntilServing(options: ServiceOptions, started: Started, timeoutMs: number): Promise<void> {
  const { records, stopGraceMs } = options;
  const { id, pid, startTime, logFile, port, secrets, exited } = started;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited() ?? (processAlive(pid, startTime) ? undefined : { failed: true });
    if (gone) {
      await records.remove(SERVICE_TYPE, id);
      const how = gone.signal
        ? `was killed by ${gone.signal}`
        : `exited${gone.exitCode === undefined ? "" : ` with code ${gone.exitCode}`}`;
      const log = await logTail(logFile, secrets);
      throw new ProviderError(
        "INTERNAL",
        `the service ${how}${port === undefined ? "" : ` before accepting connections on 127.0.0.1:${port}`}` +
          (log ? `; log tail: ${log}` : " (its log is empty)"),
        { details: { logFile } },
      );
    }
    if (port === undefined || (await portAccepts(port))) return;
    if (Date.now() > deadline) {
      await stopGroup(pid, stopGraceMs);
      await records.remove(SERVICE_TYPE, id);
      const log = await logTail(logFile, secrets);
      throw new ProviderError(
        "TIMEOUT",
        `the service did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms and was stopped; raise startTimeoutMs or check the port` +
          (log ? `. Log tail: ${log}` : ""),
        { details: { logFile } },
      );
    }
    await sleep(100);
  }
}

async function startService(
  options: ServiceOptions,
  properties: PropertyMap,
  context: { deploymentId: string; name: string },
) {
  const port = typeof properties.port === "number" ? properties.port : undefined;
  await assertPortFree(port);
  const folder = await workingFolderOf(options.cwd, properties, { type: SERVICE_TYPE, key: "cwd" });
  const env = environmentOf(properties, SERVICE_TYPE, "env");
  const secrets = Object.values(env);
  const id = `svc-${randomUUID()}`;
  const logFile = await newLogFile(options.stateDir, id);
  const { pid, exited } = await spawnDetached(properties.command, { folder, env, logFile, secrets });
  const started: Started = { id, pid, startTime: processStartTime(pid), logFile, port, secrets, exited };
  const record = serviceRecord(started, properties, context);
  // Recorded before the health check, so that a provider crash mid-start cannot orphan the process.
  await options.records.put(record);
  const timeoutMs =
    typeof properties.startTimeoutMs === "number" ? properties.startTimeoutMs : DEFAULT_START_TIMEOUT_MS;
  await waitUntilServing(options, started, timeoutMs);
  return { id, outputs: record.outputs };
}

/**
 * local:process:service — a long-running process started detached (its own process group, output to
 * a log file), so that it outlives the provider; tracked by pid and stopped on delete.
 */
export function serviceType(options: ServiceOptions): ResourceTypeHandler {
  const { cwd, records, stopGraceMs } = options;

  return {
    ...SERVICE_SCHEMA,

    validate(properties) {
      return validateWorkingFolder(cwd, properties, "cwd");
    },

    create: (properties, context) => startService(options, properties, context),

    async read(id) {
      const record = await records.get(SERVICE_TYPE, id);
      if (!record) return null;
      const { pid, startTime } = internalOf(record);
      if (!processAlive(pid, startTime)) return null;
      return { properties: record.properties, outputs: record.outputs };
    },

    async delete(id) {
      const record = await records.get(SERVICE_TYPE, id);
      if (!record) throw notManaged(SERVICE_TYPE, id);
      const { pid, startTime, logFile } = internalOf(record);
      // Never signal a group whose leader is not the process we started (the pid may be reused).
      if (processAlive(pid, startTime)) await stopGroup(pid, stopGraceMs);
      await records.remove(SERVICE_TYPE, id);
      await rm(logFile, { force: true });
    },
  };
}
