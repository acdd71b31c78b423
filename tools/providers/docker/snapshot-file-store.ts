import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../../../core/atomic-write.ts";
import type { PropertyMap, SnapshotRecord, SnapshotStore } from "../../protocol/index.ts";
import { CONTAINER_TYPE } from "./container-spec.ts";
import type { Engine } from "./engine.ts";
import { isOurs, recordedSpec } from "./labels.ts";
import { type EnvTypes, parseEnvList, typedEnvValue } from "./values.ts";

export const DEFAULT_STATE_DIR = ".mcp-iac/docker-provider";

/** What a snapshot keeps per container beyond its properties: the image it ran and its env, sealed. */
interface ContainerExtra {
  imageId: string;
  /** AES-256-GCM over the env map: iv, tag and ciphertext, base64. Never env values in clear on disk. */
  sealedEnv?: string;
}

interface StoredSnapshot extends SnapshotRecord {
  containers: Record<string, ContainerExtra>;
}

interface SnapshotFile {
  version: 1;
  snapshots: Record<string, StoredSnapshot>;
}

export function stateDirFrom(option?: string): string {
  return resolve(option ?? process.env.DOCKER_PROVIDER_STATE_DIR ?? DEFAULT_STATE_DIR);
}

/** AES-256-GCM with a key kept beside the snapshots (mode 0600), created on first use. */
function sealer(stateDir: string) {
  const keyFile = join(stateDir, "snapshot.key");

  async function key(): Promise<Buffer> {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    if (!existsSync(keyFile))
      await writeFile(keyFile, randomBytes(32), { mode: 0o600, flag: "wx" }).catch(() => {});
    return readFile(keyFile);
  }

  async function seal(value: unknown): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", await key(), iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
  }

  async function unseal(sealed: string): Promise<unknown> {
    const raw = Buffer.from(sealed, "base64");
    const decipher = createDecipheriv("aes-256-gcm", await key(), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8"));
  }

  return { seal, unseal };
}

type Sealer = ReturnType<typeof sealer>;

async function readAll(file: string): Promise<SnapshotFile> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as SnapshotFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, snapshots: {} };
    throw error;
  }
}

async function writeAll(file: string, content: SnapshotFile): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(content, null, 2), { createDir: { mode: 0o700 } });
}

/** The image a container ran and its env (typed back from the recorded spec), sealed. */
async function containerExtra(
  engine: Engine,
  seal: Sealer["seal"],
  id: string,
): Promise<ContainerExtra | undefined> {
  try {
    const info = await engine.docker.getContainer(id).inspect();
    const extra: ContainerExtra = { imageId: info.Image };
    const types = isOurs(info.Config.Labels, CONTAINER_TYPE)
      ? recordedSpec(info.Config.Labels)?.env
      : undefined;
    if (types && typeof types === "object") {
      const live = parseEnvList(info.Config.Env);
      const env: PropertyMap = {};
      for (const [name, type] of Object.entries(types as EnvTypes)) {
        const raw = live.get(name);
        if (raw !== undefined) env[name] = typedEnvValue(raw, type);
      }
      extra.sealedEnv = await seal(env);
    }
    return extra;
  } catch {
    return undefined; // gone since the listing: nothing more to record
  }
}

async function imageIdOf(engine: Engine, reference: string): Promise<string | undefined> {
  try {
    return (await engine.docker.getImage(reference).inspect()).Id;
  } catch {
    return undefined;
  }
}

/** Rebuilds the properties a rollback recreates from: real env values, and the image the container ran. */
async function restore(
  engine: Engine,
  unseal: Sealer["unseal"],
  snapshot: StoredSnapshot,
): Promise<SnapshotRecord> {
  const resources = [];
  for (const entry of snapshot.resources) {
    const extra = snapshot.containers[`${entry.type}/${entry.name}`];
    if (entry.type !== CONTAINER_TYPE || !extra) {
      resources.push(entry);
      continue;
    }
    const properties = { ...entry.properties };
    if (extra.sealedEnv) properties.env = await unseal(extra.sealedEnv);
    const image = String(properties.image);
    const now = await imageIdOf(engine, image);
    // The tag moved on since the snapshot: run the very image recorded, if the engine still has it.
    if (now !== extra.imageId && (await imageIdOf(engine, extra.imageId))) properties.image = extra.imageId;
    resources.push({ ...entry, properties });
  }
  const { containers: _containers, ...record } = snapshot;
  return { ...record, resources };
}

/**
 * Snapshots in `<stateDir>/snapshots.json`, written atomically. Containers are recorded with the
 * image id they ran and their env (encrypted with a key kept beside it, mode 0600), so a rollback
 * can bring back a container that was replaced or deleted.
 */
export function fileSnapshotStore(engine: Engine, stateDir: string): SnapshotStore {
  const file = join(stateDir, "snapshots.json");
  const { seal, unseal } = sealer(stateDir);
  let queue: Promise<unknown> = Promise.resolve();

  function serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  }

  return {
    save: (record) =>
      serialized(async () => {
        const containers: Record<string, ContainerExtra> = {};
        for (const entry of record.resources) {
          if (entry.type !== CONTAINER_TYPE) continue;
          const extra = await containerExtra(engine, seal, entry.id);
          if (extra) containers[`${entry.type}/${entry.name}`] = extra;
        }
        const all = await readAll(file);
        all.snapshots[record.snapshotId] = { ...structuredClone(record), containers };
        await writeAll(file, all);
      }),
    load: (snapshotId) =>
      serialized(async () => {
        const stored = (await readAll(file)).snapshots[snapshotId];
        return stored ? restore(engine, unseal, stored) : undefined;
      }),
  };
}
