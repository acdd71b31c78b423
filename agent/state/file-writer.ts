import {
  closeSync,
  copyFileSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, join } from "node:path";
import { jsonCopy } from "../../core/json-copy.ts";
import { fsyncDir, isCode, tempPathFor } from "./atomic-json-file.ts";
import { StateError } from "./errors.ts";
import {
  type DeploymentPaths,
  DOCUMENT_FORMAT,
  documentDb,
  historyPath,
  type StateDocument,
} from "./file-layout.ts";
import { acquireLock, type OwnedLock, releaseLock, stillHeld } from "./file-lock.ts";
import { replayDeployment } from "./file-replay.ts";
import { applyEntry, emptyState, type JournalChange, type JournalEntry } from "./journal-entry.ts";
import { type AppendKind, JournalWriter } from "./journal-writer.ts";
import type { DeploymentState, OpenOptions } from "./types.ts";

/**
 * When the journal is fsynced. "begin" (default): every `beginOperation` waits for an fsync, shared
 * by all begins issued together (group commit), because a lost begin after a power cut is the one
 * record that could leave an orphan; settles and puts rely on the next fsync or commit (a lost
 * settle only leaves a pending operation to reconcile). "always": every entry. "never": appends only
 * (durable against a killed process, not against a power cut).
 */
export type FsyncMode = "begin" | "always" | "never";

export interface FileWriterSettings {
  fsync: FsyncMode;
  /** Compact once the journal holds this many entries... */
  compactEntries: number;
  /** ...or this many bytes, but never before it is as large as the document (linear total writes). */
  compactBytes: number;
  historyLimit: number;
  stats: FileStats;
}

/** Bytes this backend wrote, by kind, and how often it compacted. */
export interface FileStats {
  journalBytes: number;
  documentBytes: number;
  historyBytes: number;
  compactions: number;
  /** fsync calls on journals; fewer than begins when begins overlap (group commit). */
  journalSyncs: number;
  /** write(2) calls on journals; fewer than entries when entries are appended together. */
  journalWrites: number;
}

export class FileStateWriter extends JournalWriter {
  private readonly paths: DeploymentPaths;
  private readonly lock: OwnedLock;
  private readonly settings: FileWriterSettings;
  private readonly db: ReturnType<typeof documentDb>;
  private fd: number;
  private seq: number;
  private persisted: boolean;
  private journalEntries = 0;
  private journalBytes = 0;
  private documentBytes = 0;
  private syncedSeq: number;
  private inflightSync: Promise<void> | undefined;
  /** Lines appended in this turn of the event loop, written together in one write(2). */
  private unwritten: string[] = [];
  private writtenSeq: number;
  private flushing: Promise<void> | undefined;
  private writeFailure: unknown;
  private readonly onExit = () => releaseLock(this.lock);

  private constructor(
    paths: DeploymentPaths,
    lock: OwnedLock,
    settings: FileWriterSettings,
    init: { state: DeploymentState; seq: number; persisted: boolean; fd: number },
  ) {
    super(init.state);
    this.paths = paths;
    this.lock = lock;
    this.settings = settings;
    this.db = documentDb(paths.document, (bytes) => {
      settings.stats.documentBytes += bytes;
      this.documentBytes = bytes;
    });
    this.seq = init.seq;
    this.syncedSeq = init.seq;
    this.writtenSeq = init.seq;
    this.persisted = init.persisted;
    this.fd = init.fd;
    process.on("exit", this.onExit);
  }

  static async open(
    paths: DeploymentPaths,
    name: string,
    options: OpenOptions,
    settings: FileWriterSettings,
  ): Promise<FileStateWriter> {
    const lock = await acquireLock(paths.lock, name, options.command, options.waitMs, {
      ...(options.onWait ? { onWait: options.onWait } : {}),
      ...(options.onTakeover ? { onTakeover: options.onTakeover } : {}),
    });
    try {
      mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
      removeTempFiles(paths);
      const replayed = await replayDeployment(paths);
      if (!replayed) {
        // No document: any journal is the leftover of a deleted deployment.
        removeIfPresent(paths.journal);
        const state = emptyState(name, latestHistoryVersion(paths), new Date().toISOString());
        const fd = openSync(paths.journal, "a", 0o600);
        return new FileStateWriter(paths, lock, settings, { state, seq: 0, persisted: false, fd });
      }
      const { document, state, seq, journal, applied, gap } = replayed;
      // A crash between the document rename and its history link.
      if (document.seq > 0) ensureHistory(paths, state.version, settings);
      const fd = openSync(paths.journal, "a", 0o600);
      const writer = new FileStateWriter(paths, lock, settings, { state, seq, persisted: true, fd });
      writer.documentBytes = statSync(paths.document).size;
      writer.journalEntries = applied;
      writer.journalBytes = journal.validBytes;
      writer.dirty = applied > 0;
      if (gap) {
        await writer.compact(); // the journal cannot be appended to past a hole: fold what is valid
      } else if (journal.torn) {
        ftruncateSync(fd, journal.validBytes); // drop the tail a killed writer left half-written
        fsyncSync(fd);
      }
      return writer;
    } catch (error) {
      releaseLock(lock);
      throw error;
    }
  }

  override delete(): Promise<void> {
    return this.serial(async () => {
      this.assertOpen("delete");
      try {
        if (this.dirty) await this.compact(); // so the history keeps the final state
        removeIfPresent(this.paths.journal);
        removeIfPresent(this.paths.document);
        fsyncDir(this.paths.stateDir);
      } finally {
        await this.shut();
      }
    });
  }

  /**
   * No caller is told an entry is recorded before it is written: then a killed process cannot lose
   * it. A begin also waits for an fsync unless "never"; other changes only with "always" (`FsyncMode`).
   */
  protected override async appended(seq: number, kind: AppendKind): Promise<void> {
    await this.written(seq);
    const wanted = kind === "begin" ? this.settings.fsync !== "never" : this.settings.fsync === "always";
    if (wanted) await this.durable(seq);
  }

  /**
   * Queues one line for the journal and folds it into the live view. The lines of one turn of the
   * event loop go out in one write(2) (`written`), not one call each: a large apply makes two per
   * resource.
   */
  protected override async append(change: JournalChange): Promise<number> {
    this.assertOpen("write");
    if (this.writeFailure) throw this.writeFailure;
    if (!this.persisted) await this.writeBaseDocument();
    const entry = { seq: this.seq + 1, at: new Date().toISOString(), ...change } as JournalEntry;
    const line = `${JSON.stringify(entry)}\n`;
    const bytes = Buffer.byteLength(line);
    this.unwritten.push(line);
    this.seq = entry.seq;
    this.settings.stats.journalBytes += bytes;
    this.journalBytes += bytes;
    this.journalEntries++;
    this.dirty = true;
    // Fold what the line says, so the live view equals what a reader replays; a copy by JSON's rules
    // rather than a parse of the line shares its strings with the caller's (no second copy in memory).
    applyEntry(this.current, jsonCopy(entry));
    if (this.compactionDue()) await this.compact();
    return entry.seq;
  }

  /** Resolves once the entries up to `seq` are written (fsynced or not); one write for all waiting. */
  private async written(seq: number): Promise<void> {
    while (this.writtenSeq < seq) {
      if (this.writeFailure) throw this.writeFailure;
      this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.flushing = undefined;
        this.flushNow();
      });
      await this.flushing;
    }
  }

  /** Writes the queued lines. A failed write (a full disk) fails this writer: memory is ahead of the file. */
  private flushNow(): void {
    const upTo = this.seq;
    if (this.unwritten.length > 0) {
      const text = this.unwritten.join("");
      this.unwritten = [];
      try {
        writeAll(this.fd, text);
        this.settings.stats.journalWrites++;
      } catch (error) {
        this.writeFailure = error;
        throw error;
      }
    }
    this.writtenSeq = upTo;
  }

  private compactionDue(): boolean {
    const { compactEntries, compactBytes } = this.settings;
    const large = this.journalEntries >= compactEntries || this.journalBytes >= compactBytes;
    return large && this.journalBytes >= this.documentBytes;
  }

  /** A fresh deployment's first write: the document the journal builds on (seq 0, no history). */
  private async writeBaseDocument(): Promise<void> {
    await this.writeDocument({ format: DOCUMENT_FORMAT, seq: 0, state: this.current });
    this.persisted = true;
  }

  private async writeDocument(document: StateDocument): Promise<void> {
    this.db.data = document;
    await this.db.write();
  }

  /** New version: atomic document write, history entry, journal reset (a crash before it is harmless). */
  protected override async compact(): Promise<number> {
    if (!this.dirty) return this.current.version;
    this.flushNow(); // whatever happens next, what was appended is in the journal
    if (!stillHeld(this.lock)) {
      throw new StateError(
        "STATE_LOCK_LOST",
        `the lock on deployment "${this.current.name}" was broken (--force-unlock) while this run held it; not committing`,
        { hint: "the changes stay in the journal; check `agent state show` before running again" },
      );
    }
    const version = this.current.version + 1;
    await this.writeDocument({ format: DOCUMENT_FORMAT, seq: this.seq, state: { ...this.current, version } });
    this.current.version = version;
    ensureHistory(this.paths, version, this.settings);
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
    this.syncedSeq = this.seq;
    this.writtenSeq = this.seq;
    this.journalEntries = 0;
    this.journalBytes = 0;
    this.dirty = false;
    this.settings.stats.compactions++;
    return version;
  }

  /** Waits until entries up to `seq` are fsynced; concurrent callers share one fsync. */
  private async durable(seq: number): Promise<void> {
    while (this.syncedSeq < seq && !this.closed) {
      if (!this.inflightSync) {
        const upTo = this.writtenSeq;
        const fd = this.fd;
        this.settings.stats.journalSyncs++;
        this.inflightSync = new Promise<void>((resolve, reject) =>
          fsync(fd, (e) => (e ? reject(e) : resolve())),
        )
          .then(() => {
            if (this.syncedSeq < upTo) this.syncedSeq = upTo;
          })
          .finally(() => {
            this.inflightSync = undefined;
          });
      }
      await this.inflightSync;
    }
  }

  protected override async shut(): Promise<void> {
    this.closed = true;
    await this.inflightSync?.catch(() => {});
    closeSync(this.fd);
    process.off("exit", this.onExit);
    releaseLock(this.lock);
  }
}

function writeAll(fd: number, text: string): number {
  const buffer = Buffer.from(text, "utf8");
  let written = 0;
  while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
  return buffer.length;
}

/** Links the committed document into history (no bytes copied: documents are replaced, never edited). */
function ensureHistory(paths: DeploymentPaths, version: number, settings: FileWriterSettings): void {
  mkdirSync(paths.historyDir, { recursive: true, mode: 0o700 });
  const target = historyPath(paths, version);
  const temp = tempPathFor(target);
  try {
    linkSync(paths.document, temp);
  } catch (error) {
    if (!isCode(error, "EPERM", "ENOTSUP", "EXDEV", "EMLINK", "EOPNOTSUPP")) throw error;
    copyFileSync(paths.document, temp);
    fsyncFile(temp);
    settings.stats.historyBytes += fileSize(temp);
  }
  renameSync(temp, target);
  fsyncDir(paths.historyDir);
  pruneHistory(paths, settings.historyLimit);
}

function pruneHistory(paths: DeploymentPaths, keep: number): void {
  // Only the lock holder writes here, so any temp file is a killed writer's leftover.
  for (const file of readdirSync(paths.historyDir)) {
    if (file.startsWith(".") && file.endsWith(".tmp")) removeIfPresent(join(paths.historyDir, file));
  }
  const versions = historyVersions(paths);
  for (const version of versions.slice(0, Math.max(0, versions.length - keep))) {
    removeIfPresent(historyPath(paths, version));
  }
}

export function historyVersions(paths: DeploymentPaths): number[] {
  let files: string[];
  try {
    files = readdirSync(paths.historyDir);
  } catch (error) {
    if (isCode(error, "ENOENT")) return [];
    throw error;
  }
  return files
    .map((file) => /^(\d+)\.json$/.exec(file)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function latestHistoryVersion(paths: DeploymentPaths): number {
  return historyVersions(paths).at(-1) ?? 0;
}

function removeTempFiles(paths: DeploymentPaths): void {
  const prefix = `.${basename(paths.document)}.`;
  for (const file of readdirSync(paths.stateDir)) {
    if (file.startsWith(prefix) && file.endsWith(".tmp")) removeIfPresent(join(paths.stateDir, file));
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isCode(error, "ENOENT")) throw error;
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fileSize(path: string): number {
  return statSync(path).size;
}
