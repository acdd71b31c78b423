import { randomUUID } from "node:crypto";
import { StateError } from "./errors.ts";
import type { JournalChange } from "./journal-entry.ts";
import { assertOperation, assertRecord } from "./record-checks.ts";
import { keyRecord, recordHasBareDigests, type SecretKeyring, withKeyedDigests } from "./secret-key.ts";
import type {
  DeploymentState,
  LastRun,
  PendingOperation,
  ResourceRecord,
  StateSnapshot,
  StateWriter,
} from "./types.ts";

/** Whether an append is a `beginOperation` (the one record that must be durable) or any other change. */
export type AppendKind = "begin" | "change";

/**
 * The StateWriter method layer every backend shares: checks, the serial queue that orders appends
 * against compactions, and commit/close. A backend supplies the storage: `append` one journal
 * entry, `compact` the journal into a new version, `shut` to release the lock and storage.
 */
export abstract class JournalWriter implements StateWriter {
  protected current: DeploymentState;
  protected dirty = false;
  protected closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private keyring: (() => Promise<SecretKeyring>) | undefined;

  protected constructor(state: DeploymentState) {
    this.current = state;
  }

  /** Records `change` and folds it into `current`; resolves to the entry's seq. Runs inside `serial`. */
  protected abstract append(change: JournalChange, kind: AppendKind): Promise<number>;
  /** Folds the journal into a new version (unchanged when not dirty); resolves to the version. */
  protected abstract compact(): Promise<number>;
  /** Marks the writer closed and releases its lock and storage. */
  protected abstract shut(): Promise<void>;

  /** Called outside the queue after an append, so overlapping callers can share one flush. */
  protected async appended(_seq: number, _kind: AppendKind): Promise<void> {}

  /**
   * Digests are keyed with the workspace key before they are recorded, and those an older document
   * left bare are keyed now in the live view (they are written keyed with the next version).
   */
  async keyDigestsWith(keyring: () => Promise<SecretKeyring>): Promise<void> {
    this.keyring = keyring;
    await withKeyedDigests(this.current, keyring);
  }

  private async keyed(record: ResourceRecord): Promise<ResourceRecord> {
    // The key is made on first use: a workspace without secrets never needs one.
    if (!this.keyring || !recordHasBareDigests(record)) return record;
    return keyRecord(record, await this.keyring());
  }

  get state(): DeploymentState {
    return this.current;
  }

  abstract delete(): Promise<void>;

  async beginOperation(op: Omit<PendingOperation, "opId" | "startedAt">): Promise<PendingOperation> {
    assertOperation(op);
    const pending: PendingOperation = { ...op, opId: randomUUID(), startedAt: new Date().toISOString() };
    const seq = await this.serial(() => this.append({ op: "begin", pending }, "begin"));
    await this.appended(seq, "begin");
    return { ...pending };
  }

  async settleOperation(opId: string, outcome: { put?: ResourceRecord; remove?: string }): Promise<void> {
    if (outcome.put) assertRecord(outcome.put, "settleOperation");
    await this.write(async () => {
      const put = outcome.put ? await this.keyed(outcome.put) : undefined;
      if (!this.current.pending[opId]) {
        throw new StateError(
          "STATE_UNKNOWN_OPERATION",
          `settleOperation: no pending operation ${opId} in deployment "${this.current.name}"`,
        );
      }
      const change: JournalChange = { op: "settle", opId };
      if (put) change.put = put;
      if (outcome.remove !== undefined) change.remove = outcome.remove;
      return change;
    });
  }

  async putResource(record: ResourceRecord): Promise<void> {
    assertRecord(record, "putResource");
    // Keyed inside the queue, so calls still apply in call order.
    await this.write(async () => ({ op: "put", record: await this.keyed(record) }));
  }

  async removeResource(name: string): Promise<void> {
    await this.write(() => (this.current.resources[name] ? { op: "remove", name } : undefined));
  }

  async addSnapshot(snapshot: StateSnapshot): Promise<void> {
    await this.write(() => ({ op: "snapshot", snapshot }));
  }

  async setLastRun(run: LastRun): Promise<void> {
    await this.write(() => ({ op: "lastRun", run }));
  }

  commit(): Promise<number> {
    return this.serial(async () => {
      this.assertOpen("commit");
      return this.compact();
    });
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      try {
        if (this.dirty) await this.compact();
      } finally {
        await this.shut();
      }
    });
  }

  /** Runs `fn` after every earlier call: a compaction must never interleave with an append. */
  protected serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.queue.then(fn);
    this.queue = result.catch(() => {});
    return result;
  }

  protected assertOpen(what: string): void {
    if (this.closed) {
      throw new StateError(
        "STATE_WRITER_CLOSED",
        `${what}: the state writer of "${this.current.name}" is closed; open the deployment again`,
      );
    }
  }

  private async write(change: () => JournalChange | undefined | Promise<JournalChange>): Promise<void> {
    const seq = await this.serial(async () => {
      this.assertOpen("write");
      const next = await change();
      return next ? this.append(next, "change") : undefined;
    });
    if (seq !== undefined) await this.appended(seq, "change");
  }
}
