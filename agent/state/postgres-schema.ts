import { createHash } from "node:crypto";
import type { Pool } from "pg";
import { StateError } from "./errors.ts";
import { loadPg } from "./pg-driver.ts";
import { newKeyHex } from "./secret-key.ts";

/** Quoted, schema-qualified table names. */
export interface PostgresTables {
  schema: string;
  /** Per deployment: the committed document, its version and the last journal seq folded into it. */
  deployments: string;
  /** One row per recorded change since the last commit: a step is one small INSERT. */
  journal: string;
  /** Committed documents, the last `historyLimit` per deployment. */
  history: string;
  /** The holder of each deployment's lock, for humans; the advisory lock is what excludes. */
  locks: string;
  /** Bumped by a force-unlock, so the next writer takes a different advisory lock than the broken one. */
  lockEpochs: string;
  /** One row: the workspace key secret digests are stored under (see secret-key.ts). */
  secretKey: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function postgresTables(schema: string): PostgresTables {
  if (!SCHEMA_NAME.test(schema)) {
    throw new StateError(
      "STATE_CONFIG_INVALID",
      `PostgreSQL schema name ${JSON.stringify(schema)} is not valid: use 1-63 letters, digits or "_", not starting with a digit`,
      { exitCode: 2 },
    );
  }
  const table = (name: string) => `${loadPg().escapeIdentifier(schema)}.${loadPg().escapeIdentifier(name)}`;
  return {
    schema,
    deployments: table("deployments"),
    journal: table("journal"),
    history: table("history"),
    locks: table("locks"),
    lockEpochs: table("lock_epochs"),
    secretKey: table("secret_key"),
  };
}

/** A non-negative 63-bit advisory lock key, as text for a `bigint` parameter. */
export function advisoryKey(...parts: (string | number)[]): string {
  const digest = createHash("sha256").update(parts.join("\0")).digest();
  return (digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString();
}

function ddl(t: PostgresTables): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${loadPg().escapeIdentifier(t.schema)}`,
    `CREATE TABLE IF NOT EXISTS ${t.deployments} (
      name text PRIMARY KEY,
      version integer NOT NULL,
      seq bigint NOT NULL,
      document jsonb NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    // json, not jsonb: stored verbatim, so an append costs no conversion; it is folded at commit.
    `CREATE TABLE IF NOT EXISTS ${t.journal} (
      name text NOT NULL,
      seq bigint NOT NULL,
      entry json NOT NULL,
      PRIMARY KEY (name, seq)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.history} (
      name text NOT NULL,
      version integer NOT NULL,
      document jsonb NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (name, version)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.locks} (
      name text PRIMARY KEY,
      pid integer NOT NULL,
      host text NOT NULL,
      since timestamptz NOT NULL,
      command text NOT NULL,
      backend_pid integer NOT NULL,
      lock_key bigint NOT NULL,
      token uuid NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.lockEpochs} (
      name text PRIMARY KEY,
      epoch integer NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.secretKey} (
      id integer PRIMARY KEY CHECK (id = 1),
      key text NOT NULL
    )`,
  ];
}

/**
 * Creates the schema and tables if missing. Concurrent `CREATE TABLE IF NOT EXISTS` can still
 * collide in the catalog, so creators queue on a transaction-level advisory lock.
 */
export async function ensurePostgresTables(pool: Pool, tables: PostgresTables): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [
      advisoryKey("mcp-iac schema", tables.schema),
    ]);
    for (const statement of ddl(tables)) await client.query(statement);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The schema's secret key, made once: the first INSERT wins and every caller reads that row. */
export async function postgresSecretKey(pool: Pool, tables: PostgresTables): Promise<string> {
  await pool.query(`INSERT INTO ${tables.secretKey} (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [
    newKeyHex(),
  ]);
  const { rows } = await pool.query<{ key: string }>(`SELECT key FROM ${tables.secretKey} WHERE id = 1`);
  return rows[0]?.key ?? "";
}
