import type { Client, QueryResult, QueryResultRow } from "pg";
import { jsonCopy } from "../../core/json-copy.ts";
import { StateError } from "./errors.ts";
import { applyEntry, emptyState, type JournalChange, type JournalEntry } from "./journal-entry.ts";
import { type AppendKind, JournalWriter } from "./journal-writer.ts";
import { acquirePostgresLock, type PostgresLock, releasePostgresLock } from "./postgres-lock.ts";
import { latestHistoryVersion, loadDeployment } from "./postgres-read.ts";
import type { PostgresTables } from "./postgres-schema.ts";
import type { DeploymentState, LockHolder, OpenOptions } from "./types.ts";

export interface PostgresWriterSettings {
  tables: PostgresTables;
  historyLimit: number;
  /** Journal rows that trigger a commit, so a reader's replay stays short. */
  compactEntries: number;
}

/**
 * A writer on its own session, which holds the deployment's advisory lock for the writer's life:
 * if the session ends (kill -9, network loss, pg_terminate_backend) PostgreSQL frees the lock and
 * this writer can write no more. Every change is one INSERT of a journal row, guarded by the lock
 * row's token, so a writer whose lock was broken cannot write either. The session commits
 * asynchronously except `beginOperation` and `commit`: a later synchronous commit flushes the WAL
 * up to itself, so what is durable is always a prefix, and a lost settle only leaves a pending
 * operation to reconcile (the file backend's "begin" fsync mode).
 */
export class PostgresStateWriter extends JournalWriter {
  /** The row of a holder whose session had ended, cleared when this writer took the lock. */
  readonly clearedStaleLock: LockHolder | undefined;
  private readonly client: Client;
  private readonly lock: PostgresLock;
  private readonly settings: PostgresWriterSettings;
  private readonly onShut: () => void;
  private seq: number;
  private persisted: boolean;
  private journalRows: number;
  private lost: string | undefined;

  private constructor(
    client: Client,
    lock: PostgresLock,
    settings: PostgresWriterSettings,
    init: { state: DeploymentState; seq: number; persisted: boolean; applied: number; cleared?: LockHolder },
    onShut: () => void,
  ) {
    super(init.state);
    this.client = client;
    this.lock = lock;
    this.settings = settings;
    this.onShut = onShut;
    this.seq = init.seq;
    this.persisted = init.persisted;
    this.journalRows = init.applied;
    this.dirty = init.applied > 0;
    this.clearedStaleLock = init.cleared;
    client.on("error", (error) => {
      this.lost ??= error.message;
    });
    client.on("end", () => {
      if (!this.closed) this.lost ??= "the connection closed";
    });
  }

  /** Locks and loads on `client`, a connected session this writer then owns (and ends on close). */
  static async open(
    client: Client,
    name: string,
    options: OpenOptions,
    settings: PostgresWriterSettings,
    onShut: () => void,
  ): Promise<PostgresStateWriter> {
    const { tables } = settings;
    const { lock, cleared } = await acquirePostgresLock(
      client,
      tables,
      name,
      options.command,
      options.waitMs,
    );
    try {
      const loaded = await loadDeployment(client, tables, name);
      const init = loaded
        ? { ...loaded, persisted: true }
        : {
            state: emptyState(
              name,
              await latestHistoryVersion(client, tables, name),
              new Date().toISOString(),
            ),
            seq: 0,
            applied: 0,
            persisted: false,
          };
      return new PostgresStateWriter(client, lock, settings, cleared ? { ...init, cleared } : init, onShut);
    } catch (error) {
      await releasePostgresLock(client, tables, lock).catch(() => {});
      throw error;
    }
  }

  override delete(): Promise<void> {
    return this.serial(async () => {
      this.assertOpen("delete");
      const { tables } = this.settings;
      const name = this.current.name;
      try {
        // The final state goes to history first, in the same transaction as the removal.
        await this.compact(async () => {
          await this.run(`DELETE FROM ${tables.journal} WHERE name = $1`, [name]);
          await this.run(`DELETE FROM ${tables.deployments} WHERE name = $1`, [name]);
        });
      } finally {
        await this.shut();
      }
    });
  }

  /** Ends the session without committing (the backend closing under an open writer). */
  abandon(): Promise<void> {
    return this.serial(() => (this.closed ? undefined : this.shut()));
  }

  /** One INSERT, only while the lock row is still ours; a begin waits for the WAL flush. */
  protected override async append(change: JournalChange, kind: AppendKind): Promise<number> {
    this.assertOpen("write");
    const durable = kind === "begin";
    const { tables } = this.settings;
    const entry = { seq: this.seq + 1, at: new Date().toISOString(), ...change } as JournalEntry;
    const text = JSON.stringify(entry);
    assertStorable(text, this.current.name);
    if (!this.persisted) await this.writeBaseDocument();
    const sync = durable ? "WITH sync AS (SELECT set_config('synchronous_commit', 'on', true)) " : "";
    const result = await this.run(
      `${sync}INSERT INTO ${tables.journal} (name, seq, entry)
       SELECT $1::text, $2::bigint, $3::json ${durable ? "FROM sync " : ""}
       WHERE EXISTS (SELECT 1 FROM ${tables.locks} WHERE name = $1::text AND token = $4::uuid)`,
      [this.current.name, entry.seq, text, this.lock.token],
    );
    if (result.rowCount !== 1) throw this.lockBroken();
    this.seq = entry.seq;
    this.journalRows++;
    this.dirty = true;
    // Fold what the row says, so the live view equals what a reader replays (see FileStateWriter.append).
    applyEntry(this.current, jsonCopy(entry));
    if (this.journalRows >= this.settings.compactEntries) await this.compact();
    return entry.seq;
  }

  /** A fresh deployment's first write: the document the journal builds on (seq 0, no history). */
  private async writeBaseDocument(): Promise<void> {
    const { tables } = this.settings;
    const result = await this.run(
      `INSERT INTO ${tables.deployments} (name, version, seq, document, updated_at)
       SELECT $1::text, $2::integer, 0, $3::jsonb, $4::timestamptz
       WHERE EXISTS (SELECT 1 FROM ${tables.locks} WHERE name = $1::text AND token = $5::uuid)
       ON CONFLICT (name) DO NOTHING`,
      [
        this.current.name,
        this.current.version,
        JSON.stringify(this.current),
        this.current.createdAt,
        this.lock.token,
      ],
    );
    if (result.rowCount !== 1) throw this.lockBroken();
    this.persisted = true;
  }

  /**
   * New version in ONE transaction: document replaced, history row added and pruned, journal rows
   * folded in deleted; `also` runs in the same transaction. Unchanged state makes no version.
   */
  protected override async compact(also?: () => Promise<void>): Promise<number> {
    if (!this.dirty && !also) return this.current.version;
    const { tables, historyLimit } = this.settings;
    const name = this.current.name;
    const version = this.dirty ? this.current.version + 1 : this.current.version;
    await this.transaction(async () => {
      if (this.dirty) {
        const document = JSON.stringify({ ...this.current, version });
        await this.run(
          `UPDATE ${tables.deployments} SET version = $2, seq = $3, document = $4::jsonb, updated_at = $5
           WHERE name = $1`,
          [name, version, this.seq, document, this.current.updatedAt],
        );
        await this.run(
          `INSERT INTO ${tables.history} (name, version, document, updated_at)
           SELECT name, version, document, updated_at FROM ${tables.deployments} WHERE name = $1`,
          [name],
        );
        await this.run(`DELETE FROM ${tables.journal} WHERE name = $1 AND seq <= $2`, [name, this.seq]);
        await this.run(`DELETE FROM ${tables.history} WHERE name = $1 AND version <= $2`, [
          name,
          version - historyLimit,
        ]);
      }
      await also?.();
    });
    this.current.version = version;
    this.journalRows = 0;
    this.dirty = false;
    return version;
  }

  /** BEGIN, lock row still ours (held FOR UPDATE: a force-unlock waits), work, synchronous COMMIT. */
  private async transaction(work: () => Promise<void>): Promise<void> {
    const { tables } = this.settings;
    await this.run("BEGIN");
    try {
      await this.run("SET LOCAL synchronous_commit = on");
      const held = await this.run(`SELECT 1 FROM ${tables.locks} WHERE name = $1 AND token = $2 FOR UPDATE`, [
        this.current.name,
        this.lock.token,
      ]);
      if (held.rowCount !== 1) throw this.lockBroken();
      await work();
      await this.run("COMMIT");
    } catch (error) {
      if (!this.lost) await this.client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  /** A query on the writer's session; a lost session becomes a clear error, not a driver message. */
  private async run<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<QueryResult<R>> {
    if (this.lost) throw this.sessionLost();
    try {
      return await this.client.query<R>(text, values);
    } catch (error) {
      if (this.lost || isSessionError(error)) {
        this.lost ??= error instanceof Error ? error.message : String(error);
        throw this.sessionLost();
      }
      // Our next seq taken: someone wrote after breaking our lock.
      if ((error as { code?: string }).code === "23505") throw this.lockBroken();
      throw error;
    }
  }

  protected override async shut(): Promise<void> {
    this.closed = true;
    try {
      if (!this.lost) await releasePostgresLock(this.client, this.settings.tables, this.lock);
    } catch {
      // The session is gone or going: PostgreSQL frees its advisory lock with it.
    }
    await this.client.end().catch(() => {});
    this.onShut();
  }

  private lockBroken(): StateError {
    return new StateError(
      "STATE_LOCK_LOST",
      `the lock on deployment "${this.current.name}" was broken (--force-unlock) while this run held it; not recording`,
      { hint: "what was recorded before stays in state; check `agent state show` before running again" },
    );
  }

  private sessionLost(): StateError {
    return new StateError(
      "STATE_LOCK_LOST",
      `the PostgreSQL session holding the lock on deployment "${this.current.name}" ended (${this.lost}), and PostgreSQL released the lock with it; this run records nothing more`,
      {
        hint: "what was recorded before stays in state, pending operations included; the next run reconciles them",
      },
    );
  }
}

/** Connection lost (class 08, a socket errno, the driver's own words) or terminated by an administrator (57P). */
function isSessionError(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== "string") {
    return /connection|terminated|not queryable|socket/i.test(typeof message === "string" ? message : "");
  }
  return /^E[A-Z]+$/.test(code) || code.startsWith("08") || code.startsWith("57P");
}

/** jsonb cannot hold U+0000; refuse it before it is journaled, rather than fail every later commit. */
function assertStorable(text: string, deployment: string): void {
  if (!/(^|[^\\])(\\\\)*\\u0000/.test(text)) return;
  throw new StateError(
    "STATE_RECORD_INVALID",
    `a value for deployment "${deployment}" contains a NUL character (\\u0000), which PostgreSQL cannot store`,
    { hint: "remove the NUL character from the property or output" },
  );
}
