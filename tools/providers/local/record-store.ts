import { mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { writeJsonAtomic } from "../../../core/atomic-write.ts";
import type { PropertyMap } from "../../protocol/index.ts";

/** One resource the local provider manages, as kept in its record file. */
export interface ManagedRecord {
  type: string;
  id: string;
  name: string;
  deploymentId: string;
  /** Desired properties as applied; secret values only as digests. */
  properties: PropertyMap;
  outputs: PropertyMap;
  /** Bookkeeping the provider needs later (pids, log files); never shown as properties. */
  internal?: Record<string, unknown>;
}

interface RecordFile {
  version: 1;
  resources: ManagedRecord[];
}

interface SecretFile {
  version: 1;
  secrets: Record<string, Record<string, string>>;
}

const LOCK_STALE_MS = 30_000;

async function readJson<T>(path: string, empty: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return empty;
    throw new Error(
      `the local provider's record ${path} is unreadable (${(error as Error).message}); fix or remove it`,
    );
  }
}

async function writeAtomic(path: string, value: unknown, mode: number): Promise<void> {
  await writeJsonAtomic(path, value, { mode });
}

/** A lock whose holder died on this host, or that is older than LOCK_STALE_MS, may be taken over. */
async function lockIsStale(lockPath: string): Promise<boolean> {
  try {
    const holder = JSON.parse(await readFile(lockPath, "utf8")) as { pid?: number; host?: string };
    if (holder.host === hostname() && typeof holder.pid === "number" && !pidExists(holder.pid)) return true;
    return Date.now() - (await stat(lockPath)).mtimeMs > LOCK_STALE_MS;
  } catch {
    // Half-written or already gone: let the next attempt decide.
    return false;
  }
}

async function acquireLock(dir: string, lockPath: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(
        JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }),
      );
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (await lockIsStale(lockPath)) await rm(lockPath, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, Math.min(5 + attempt * 5, 100)));
    }
  }
}

/** Runs work one at a time in this process (a queue) and across processes (the lock file). */
function exclusiveRunner(dir: string, lockPath: string) {
  let queue: Promise<unknown> = Promise.resolve();
  return function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      await acquireLock(dir, lockPath);
      try {
        return await work();
      } finally {
        await rm(lockPath, { force: true });
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };
}

/**
 * The provider's own record (records.json) and the secret values it must keep to run delete hooks
 * later (secrets.json, mode 0600, never returned by any tool). Both are rewritten atomically
 * (temp file, fsync, rename) under an in-process queue and a lock file shared with other provider
 * processes using the same folder.
 */
export function createRecordStore(dir: string) {
  const recordsPath = join(dir, "records.json");
  const secretsPath = join(dir, "secrets.json");
  const exclusive = exclusiveRunner(dir, join(dir, "records.lock"));

  const secretKey = (type: string, id: string) => `${type} ${id}`;

  return {
    dir,
    async all(): Promise<ManagedRecord[]> {
      return (await readJson<RecordFile>(recordsPath, { version: 1, resources: [] })).resources;
    },
    async get(type: string, id: string): Promise<ManagedRecord | undefined> {
      return (await this.all()).find((record) => record.type === type && record.id === id);
    },
    /** Inserts or replaces the record with the same type and id. */
    put(record: ManagedRecord): Promise<void> {
      return exclusive(async () => {
        const file = await readJson<RecordFile>(recordsPath, { version: 1, resources: [] });
        const rest = file.resources.filter(
          (entry) => !(entry.type === record.type && entry.id === record.id),
        );
        await writeAtomic(recordsPath, { version: 1, resources: [...rest, record] }, 0o644);
      });
    },
    remove(type: string, id: string): Promise<void> {
      return exclusive(async () => {
        const file = await readJson<RecordFile>(recordsPath, { version: 1, resources: [] });
        const rest = file.resources.filter((entry) => !(entry.type === type && entry.id === id));
        if (rest.length !== file.resources.length)
          await writeAtomic(recordsPath, { version: 1, resources: rest }, 0o644);
        const secrets = await readJson<SecretFile>(secretsPath, { version: 1, secrets: {} });
        if (secretKey(type, id) in secrets.secrets) {
          delete secrets.secrets[secretKey(type, id)];
          await writeAtomic(secretsPath, secrets, 0o600);
        }
      });
    },
    async getSecrets(type: string, id: string): Promise<Record<string, string>> {
      return (
        (await readJson<SecretFile>(secretsPath, { version: 1, secrets: {} })).secrets[secretKey(type, id)] ??
        {}
      );
    },
    setSecrets(type: string, id: string, values: Record<string, string>): Promise<void> {
      return exclusive(async () => {
        const secrets = await readJson<SecretFile>(secretsPath, { version: 1, secrets: {} });
        if (Object.keys(values).length === 0) delete secrets.secrets[secretKey(type, id)];
        else secrets.secrets[secretKey(type, id)] = values;
        await writeAtomic(secretsPath, secrets, 0o600);
      });
    },
  };
}

export type RecordStore = ReturnType<typeof createRecordStore>;

/** Whether a process with this pid exists (EPERM means it does, owned by someone else). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
