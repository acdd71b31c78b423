import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { SnapshotRecord } from "../../protocol/index.ts";
import type { WorldResource, WorldView } from "./catalog-entry.ts";
import { WorldLease } from "./world-lock.ts";

export interface WorldOptions {
  file: string;
  /** The claim keys of a resource (addresses, unique names), indexed for O(1) lookups. */
  claimsOf?: (resource: WorldResource) => string[];
  /** Journal entries before the world file is rewritten; never fewer than the resources it last held. */
  compactEvery?: number;
}

type JournalEntry =
  | { op: "put"; resource: WorldResource }
  | { op: "del"; id: string }
  | { op: "snap"; snapshot: SnapshotRecord }
  | { op: "attempt"; key: string; count: number };

interface WorldFile {
  version: 1;
  attempts: Record<string, number>;
  snapshots: SnapshotRecord[];
  resources: WorldResource[];
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function worldError(file: string, problem: string): Error {
  return new Error(`the mock world ${file} ${problem}; move it aside to start from an empty world`);
}

/**
 * The simulated platform's state. Every mutation is one JSON line appended to a journal beside
 * the world file with a synchronous write, so a kill -9 right after loses nothing; the journal is
 * folded into the world file (write, fsync, rename) once it grows as long as the world is big, and
 * on close. Replaying the journal is idempotent: each line carries a whole value for its key.
 */
export class World implements WorldView {
  readonly file: string;
  readonly journalFile: string;
  readonly #claimsOf: (resource: WorldResource) => string[];
  readonly #compactEvery: number;
  readonly #resources = new Map<string, WorldResource>();
  readonly #byType = new Map<string, Set<string>>();
  /** deploymentId → type → name → id */
  readonly #byDeployment = new Map<string, Map<string, Map<string, string>>>();
  readonly #claims = new Map<string, string>();
  readonly #claimsById = new Map<string, string[]>();
  readonly #snapshots = new Map<string, SnapshotRecord>();
  readonly #attempts = new Map<string, number>();
  #journalFd: number | undefined;
  #journalEntries = 0;
  /** Resources in the world file as last written: the journal may grow as long before a rewrite. */
  #compactedSize = 0;
  /** The world and journal files as this process last saw them; a difference means another wrote. */
  #seen = "";
  #lockDepth = 0;
  readonly #lease: WorldLease;

  constructor(options: WorldOptions) {
    this.file = options.file;
    this.journalFile = `${options.file}.journal`;
    this.#claimsOf = options.claimsOf ?? (() => []);
    this.#compactEvery = options.compactEvery ?? 1000;
    mkdirSync(dirname(this.file), { recursive: true });
    this.#lease = new WorldLease(`${this.file}.lock`, this.file, () => {
      this.#seen = this.#fingerprint();
    });
    this.exclusive(() => {
      this.#journalFd = openSync(this.journalFile, "a");
      if (this.#journalEntries > 0) this.compact();
    });
  }

  /**
   * Runs `work` holding the world's lock, on the world as it is on disk now: another process sharing
   * the sandbox (the chat and a second shell) may have written since. The lock is a lease kept over
   * a busy stretch (WorldLease); `work` is synchronous, so each operation is whole. Re-entrant.
   */
  exclusive<T>(work: () => T): T {
    // Nobody else writes while we hold the lease: one look at the files when it is taken, not per read.
    if (this.#lockDepth === 0 && this.#lease.take()) this.#reloadIfChanged();
    this.#lockDepth++;
    try {
      return work();
    } finally {
      this.#lockDepth--;
    }
  }

  #fingerprint(): string {
    const of = (path: string) => {
      try {
        const stat = statSync(path);
        return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return "-";
      }
    };
    return `${of(this.file)} ${of(this.journalFile)}`;
  }

  /** Outside the lock, reloads everything when the files changed under us. */
  #sync(): void {
    if (!this.#lease.held) this.#reloadIfChanged();
  }

  #reloadIfChanged(): void {
    const now = this.#fingerprint();
    if (now === this.#seen) return;
    for (const map of [this.#resources, this.#byType, this.#byDeployment, this.#claims, this.#claimsById])
      map.clear();
    this.#snapshots.clear();
    this.#attempts.clear();
    this.#journalEntries = 0;
    this.#compactedSize = 0;
    this.#load();
    this.#seen = now;
  }

  get size(): number {
    this.#sync();
    return this.#resources.size;
  }

  get(id: string): WorldResource | undefined {
    this.#sync();
    return this.#resources.get(id);
  }

  /** O(result) for a deployment's resources of one type; a full scan only without a filter. */
  list(filter: { type?: string; deploymentId?: string } = {}): WorldResource[] {
    this.#sync();
    const ids: Iterable<string> = filter.deploymentId
      ? this.#deploymentIds(filter.deploymentId, filter.type)
      : filter.type
        ? (this.#byType.get(filter.type) ?? [])
        : this.#resources.keys();
    const out: WorldResource[] = [];
    for (const id of ids) {
      const resource = this.#resources.get(id);
      if (resource) out.push(resource);
    }
    return out;
  }

  findManaged(deploymentId: string, type: string, name: string): WorldResource | undefined {
    this.#sync();
    const id = this.#byDeployment.get(deploymentId)?.get(type)?.get(name);
    return id === undefined ? undefined : this.#resources.get(id);
  }

  claimant(key: string): string | undefined {
    this.#sync();
    return this.#claims.get(key);
  }

  isClaimed(key: string, exceptId?: string): boolean {
    this.#sync();
    const holder = this.#claims.get(key);
    return holder !== undefined && holder !== exceptId;
  }

  put(resource: WorldResource): void {
    this.exclusive(() => {
      this.#apply({ op: "put", resource });
      this.#append({ op: "put", resource });
    });
  }

  remove(id: string): boolean {
    return this.exclusive(() => {
      if (!this.#resources.has(id)) return false;
      this.#apply({ op: "del", id });
      this.#append({ op: "del", id });
      return true;
    });
  }

  saveSnapshot(snapshot: SnapshotRecord): void {
    this.exclusive(() => {
      this.#apply({ op: "snap", snapshot });
      this.#append({ op: "snap", snapshot });
    });
  }

  snapshot(snapshotId: string): SnapshotRecord | undefined {
    this.#sync();
    return this.#snapshots.get(snapshotId);
  }

  attempts(key: string): number {
    this.#sync();
    return this.#attempts.get(key) ?? 0;
  }

  /** Counts one more attempt under `key`, durably, and returns the new count. */
  bumpAttempt(key: string): number {
    return this.exclusive(() => {
      const count = this.attempts(key) + 1;
      this.#apply({ op: "attempt", key, count });
      this.#append({ op: "attempt", key, count });
      return count;
    });
  }

  /** Folds the journal into the world file atomically: temp file, fsync, rename, then truncate. */
  compact(): void {
    this.exclusive(() => this.#compact());
  }

  #compact(): void {
    const data: WorldFile = {
      version: 1,
      attempts: Object.fromEntries(this.#attempts),
      snapshots: [...this.#snapshots.values()],
      resources: [...this.#resources.values()],
    };
    // One resource per line keeps a large world readable and diffable.
    const text =
      `{"version":1,\n"attempts":${JSON.stringify(data.attempts)},\n` +
      `"snapshots":[${data.snapshots.map((item) => `\n${JSON.stringify(item)}`).join(",")}\n],\n` +
      `"resources":[${data.resources.map((item) => `\n${JSON.stringify(item)}`).join(",")}\n]}\n`;
    const temp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temp, "w");
    try {
      writeAll(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.file);
    try {
      const dirFd = openSync(dirname(this.file), "r");
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch {
      // Some filesystems refuse to fsync a directory; the rename is still atomic.
    }
    if (this.#journalFd !== undefined) ftruncateSync(this.#journalFd, 0);
    this.#journalEntries = 0;
    this.#compactedSize = data.resources.length;
  }

  close(): void {
    if (this.#journalFd === undefined) return;
    this.compact();
    this.#lease.release();
    closeSync(this.#journalFd!);
    this.#journalFd = undefined;
  }

  *#deploymentIds(deploymentId: string, type: string | undefined): Iterable<string> {
    const byType = this.#byDeployment.get(deploymentId);
    if (!byType) return;
    if (type !== undefined) {
      yield* byType.get(type)?.values() ?? [];
      return;
    }
    for (const names of byType.values()) yield* names.values();
  }

  #append(entry: JournalEntry): void {
    if (this.#journalFd === undefined) throw new Error(`the mock world ${this.file} is closed`);
    writeAll(this.#journalFd, `${JSON.stringify(entry)}\n`);
    this.#journalEntries++;
    // Rewrites grow geometrically with the world, so their cost per mutation stays constant.
    if (this.#journalEntries >= Math.max(this.#compactEvery, this.#compactedSize)) this.#compact();
  }

  #apply(entry: JournalEntry): void {
    switch (entry.op) {
      case "put":
        this.#unindex(entry.resource.id);
        this.#index(entry.resource);
        return;
      case "del":
        this.#unindex(entry.id);
        return;
      case "snap":
        this.#snapshots.set(entry.snapshot.snapshotId, entry.snapshot);
        return;
      case "attempt":
        this.#attempts.set(entry.key, entry.count);
        return;
    }
  }

  #index(resource: WorldResource): void {
    this.#resources.set(resource.id, resource);
    getOrAdd(this.#byType, resource.type, () => new Set<string>()).add(resource.id);
    if (resource.deploymentId !== undefined && resource.name !== undefined) {
      const byType = getOrAdd(
        this.#byDeployment,
        resource.deploymentId,
        () => new Map<string, Map<string, string>>(),
      );
      getOrAdd(byType, resource.type, () => new Map<string, string>()).set(resource.name, resource.id);
    }
    const claims = this.#claimsOf(resource);
    for (const key of claims) this.#claims.set(key, resource.id);
    this.#claimsById.set(resource.id, claims);
  }

  #unindex(id: string): void {
    const resource = this.#resources.get(id);
    if (!resource) return;
    this.#resources.delete(id);
    this.#byType.get(resource.type)?.delete(id);
    if (resource.deploymentId !== undefined && resource.name !== undefined) {
      const byType = this.#byDeployment.get(resource.deploymentId);
      const byName = byType?.get(resource.type);
      if (byName?.get(resource.name) === id) byName.delete(resource.name);
      if (byName?.size === 0) byType?.delete(resource.type);
      if (byType?.size === 0) this.#byDeployment.delete(resource.deploymentId);
    }
    for (const key of this.#claimsById.get(id) ?? [])
      if (this.#claims.get(key) === id) this.#claims.delete(key);
    this.#claimsById.delete(id);
  }

  #load(): void {
    if (existsSync(this.file)) {
      let data: WorldFile;
      try {
        data = JSON.parse(readFileSync(this.file, "utf8")) as WorldFile;
      } catch (error) {
        throw worldError(this.file, `is not valid JSON (${(error as Error).message})`);
      }
      if (data?.version !== 1 || !Array.isArray(data.resources) || !Array.isArray(data.snapshots)) {
        throw worldError(this.file, "is not a mock world (version 1 with resources and snapshots)");
      }
      for (const resource of data.resources) this.#index(resource);
      for (const snapshot of data.snapshots) this.#snapshots.set(snapshot.snapshotId, snapshot);
      for (const [key, count] of Object.entries(data.attempts ?? {})) this.#attempts.set(key, count);
      this.#compactedSize = data.resources.length;
    }
    if (!existsSync(this.journalFile)) return;
    const lines = readFileSync(this.journalFile, "utf8").split("\n");
    const last = lines.findLastIndex((line) => line.trim() !== "");
    for (let index = 0; index <= last; index++) {
      const line = lines[index] ?? "";
      if (line.trim() === "") continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        // A kill -9 in the middle of an append leaves at most the last line torn.
        if (index === last) {
          this.#journalEntries++;
          break;
        }
        throw worldError(this.journalFile, `has a corrupt line ${index + 1}`);
      }
      this.#apply(entry);
      this.#journalEntries++;
    }
  }
}
