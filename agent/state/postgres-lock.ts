import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Pool, QueryResult, QueryResultRow } from "pg";
import { LockHeldError } from "./errors.ts";
import { advisoryKey, type PostgresTables } from "./postgres-schema.ts";
import type { LockHolder } from "./types.ts";

/** A pool or one client: what a read needs. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** A lock this writer holds: its advisory key (on the writer's own session) and the token of its row. */
export interface PostgresLock {
  name: string;
  key: string;
  token: string;
  holder: LockHolder;
}

interface LockRow {
  holder: LockHolder;
  /** The session that wrote the row still holds its advisory lock. */
  live: boolean;
}

const POLL_MS = 50;
/** How long a holder may sit between taking the advisory lock and writing its row. */
const ROW_GRACE_MS = 1_000;

/**
 * Takes the deployment's advisory lock on `client`'s session (held until that session ends) and
 * writes the holder row. A row whose session died is cleared and returned as `cleared`: PostgreSQL
 * released its advisory lock when the session ended. Fails at once with `LockHeldError` while
 * another session holds it, or polls until `waitMs` has passed.
 */
export async function acquirePostgresLock(
  client: Queryable,
  tables: PostgresTables,
  name: string,
  command: string,
  waitMs = 0,
): Promise<{ lock: PostgresLock; cleared?: LockHolder }> {
  const started = Date.now();
  const deadline = started + Math.max(0, waitMs);
  for (;;) {
    const epoch = await currentEpoch(client, tables, name);
    const key = advisoryKey(tables.schema, name, epoch);
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [
      key,
    ]);
    if (rows[0]?.ok) {
      const claimed = await claim(client, tables, name, command, key, epoch);
      if (claimed) return claimed;
      continue; // force-unlocked meanwhile: the key changed
    }
    const row = await readLockRow(client, tables, name);
    const now = Date.now();
    // No row, or a dead one: the new holder is between its advisory lock and its row.
    const settling = !row?.live && now - started < ROW_GRACE_MS;
    if (!settling && now >= deadline) {
      throw new LockHeldError(
        name,
        row?.holder ?? (await unnamedHolder(client, key)),
        row ? !row.live : false,
      );
    }
    await sleep(settling ? 10 : POLL_MS);
  }
}

async function claim(
  client: Queryable,
  tables: PostgresTables,
  name: string,
  command: string,
  key: string,
  epoch: number,
): Promise<{ lock: PostgresLock; cleared?: LockHolder } | undefined> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [metaKey(tables, name)]);
    if ((await currentEpoch(client, tables, name)) !== epoch) {
      await client.query("ROLLBACK");
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [key]);
      return undefined;
    }
    // We hold the current advisory lock, so any row left is a holder whose session ended.
    const { rows: old } = await client.query<HolderColumns>(
      `DELETE FROM ${tables.locks} WHERE name = $1 RETURNING pid, host, since, command`,
      [name],
    );
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      command,
    };
    const token = randomUUID();
    await client.query(
      `INSERT INTO ${tables.locks} (name, pid, host, since, command, backend_pid, lock_key, token)
       VALUES ($1, $2, $3, $4, $5, pg_backend_pid(), $6::bigint, $7)`,
      [name, holder.pid, holder.host, holder.since, holder.command, key, token],
    );
    await client.query("COMMIT");
    const lock = { name, key, token, holder };
    return old[0] ? { lock, cleared: toHolder(old[0]) } : { lock };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    await client.query("SELECT pg_advisory_unlock($1::bigint)", [key]).catch(() => {});
    throw error;
  }
}

/** Removes the row only if it is still ours (not broken and retaken), then frees the advisory lock. */
export async function releasePostgresLock(client: Queryable, tables: PostgresTables, lock: PostgresLock) {
  await client.query(`DELETE FROM ${tables.locks} WHERE name = $1 AND token = $2`, [lock.name, lock.token]);
  await client.query("SELECT pg_advisory_unlock($1::bigint)", [lock.key]);
}

/**
 * Removes the holder row and moves the deployment to a new advisory key, so the next writer can
 * lock it while the broken holder's session lives on. Terminates no session: the broken writer
 * finds its row gone and can no longer write.
 */
export async function forcePostgresUnlock(
  pool: Pool,
  tables: PostgresTables,
  name: string,
): Promise<LockHolder | undefined> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [metaKey(tables, name)]);
    const { rows } = await client.query<HolderColumns>(
      `DELETE FROM ${tables.locks} WHERE name = $1 RETURNING pid, host, since, command`,
      [name],
    );
    await client.query(
      `INSERT INTO ${tables.lockEpochs} (name, epoch) VALUES ($1, 1)
       ON CONFLICT (name) DO UPDATE SET epoch = ${tables.lockEpochs}.epoch + 1`,
      [name],
    );
    await client.query("COMMIT");
    return rows[0] ? toHolder(rows[0]) : undefined;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function readLockRow(
  q: Queryable,
  tables: PostgresTables,
  name: string,
): Promise<LockRow | undefined> {
  const { rows } = await q.query<HolderColumns & { live: boolean }>(
    `SELECT l.pid, l.host, l.since, l.command, EXISTS (
       SELECT 1 FROM pg_locks p
       WHERE p.locktype = 'advisory' AND p.granted AND p.objsubid = 1 AND p.pid = l.backend_pid
         AND p.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND ((p.classid::bigint << 32) | p.objid::bigint) = l.lock_key
     ) AS live
     FROM ${tables.locks} l WHERE l.name = $1`,
    [name],
  );
  const row = rows[0];
  return row ? { holder: toHolder(row), live: row.live } : undefined;
}

/** Who holds the advisory lock when no row names it (a row deleted by hand): what the server knows. */
async function unnamedHolder(q: Queryable, key: string): Promise<LockHolder> {
  const { rows } = await q.query<{
    pid: number;
    since: Date | null;
    addr: string | null;
    app: string | null;
  }>(
    `SELECT a.pid, a.backend_start AS since, host(a.client_addr) AS addr, a.application_name AS app
     FROM pg_locks p JOIN pg_stat_activity a ON a.pid = p.pid
     WHERE p.locktype = 'advisory' AND p.granted AND p.objsubid = 1
       AND ((p.classid::bigint << 32) | p.objid::bigint) = $1::bigint`,
    [key],
  );
  const row = rows[0];
  return {
    pid: 0,
    host: row?.addr ?? "unknown",
    since: (row?.since ?? new Date(0)).toISOString(),
    command: `unknown (no holder row; PostgreSQL session ${row?.pid ?? "?"}${row?.app ? ` "${row.app}"` : ""} holds the lock)`,
  };
}

async function currentEpoch(q: Queryable, tables: PostgresTables, name: string): Promise<number> {
  const { rows } = await q.query<{ epoch: number }>(
    `SELECT epoch FROM ${tables.lockEpochs} WHERE name = $1`,
    [name],
  );
  return rows[0]?.epoch ?? 0;
}

/** Serializes claims and force-unlocks of one deployment (transaction-level, never held long). */
function metaKey(tables: PostgresTables, name: string): string {
  return advisoryKey(tables.schema, name, "claim");
}

interface HolderColumns extends QueryResultRow {
  pid: number;
  host: string;
  since: Date;
  command: string;
}

function toHolder(row: HolderColumns): LockHolder {
  return { pid: row.pid, host: row.host, since: row.since.toISOString(), command: row.command };
}
