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

/**
 * local:process:service — a long-running process started detached (its own process group, output to
 * a log file), so that it outlives the provider; tracked by pid and stopped on delete.
 */
export function serviceType(options: {
  cwd: string;
  stateDir: string;
  records: RecordStore;
  stopGraceMs: number;
}): ResourceTypeHandler {
  const { cwd, stateDir, records, stopGraceMs } = options;

  /** SIGTERM to the whole group, SIGKILL after the grace period, then wait until it is gone. */
  async function stopGroup(pid: number): Promise<void> {
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

  async function start(properties: PropertyMap, context: { deploymentId: string; name: string }) {
    const port = typeof properties.port === "number" ? properties.port : undefined;
    if (port !== undefined && (await portAccepts(port))) {
      throw new ProviderError(
        "CONFLICT",
        `port ${port} on 127.0.0.1 already accepts connections, so the health check could not tell this service from what holds it; stop that or pick another port`,
      );
    }
    const folder = await workingFolderOf(cwd, properties, { type: SERVICE_TYPE, key: "cwd" });
    const env = environmentOf(properties, SERVICE_TYPE, "env");
    const secrets = Object.values(env);
    const id = `svc-${randomUUID()}`;
    const logDir = join(stateDir, "logs");
    await mkdir(logDir, { recursive: true });
    const logFile = join(logDir, `${id}.log`);
    await writeFile(logFile, "", { mode: 0o600 });
    // The shell opens the log itself: a pipe through this process would break when the provider exits.
    const command = properties.command;
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
    let exited: { exitCode?: number | undefined; signal?: string | undefined; failed: boolean } | undefined;
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
    const internal: ServiceInternal = { pid, logFile };
    const startTime = processStartTime(pid);
    if (startTime !== undefined) internal.startTime = startTime;
    const outputs: PropertyMap = { id, pid, logFile };
    if (port !== undefined) Object.assign(outputs, { port, url: `http://127.0.0.1:${port}` });
    const record: ManagedRecord = {
      type: SERVICE_TYPE,
      id,
      name: context.name,
      deploymentId: context.deploymentId,
      properties: withSecretDigest(properties, "env"),
      outputs,
      internal: internal as unknown as Record<string, unknown>,
    };
    // Recorded before the health check, so that a provider crash mid-start cannot orphan the process.
    await records.put(record);
    const timeoutMs =
      typeof properties.startTimeoutMs === "number" ? properties.startTimeoutMs : DEFAULT_START_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const gone = exited ?? (processAlive(pid, internal.startTime) ? undefined : { failed: true });
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
      if (port === undefined || (await portAccepts(port))) break;
      if (Date.now() > deadline) {
        await stopGroup(pid);
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
    return { id, outputs };
  }

  return {
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

    validate(properties) {
      return validateWorkingFolder(cwd, properties, "cwd");
    },

    create: start,

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
      if (processAlive(pid, startTime)) await stopGroup(pid);
      await records.remove(SERVICE_TYPE, id);
      await rm(logFile, { force: true });
    },
  };
}
