import type { Pool } from "pg";
import { IacError } from "../errors.ts";
import { assertVersionNumber, summarizeDeployments } from "./backend-reads.ts";
import { StateError } from "./errors.ts";
import { assertDeploymentName } from "./names.ts";
import { loadPg } from "./pg-driver.ts";
import { forcePostgresUnlock, readLockRow } from "./postgres-lock.ts";
import { deploymentNames, historyDocument, historySummaries, loadDeployment } from "./postgres-read.ts";
import {
  ensurePostgresTables,
  type PostgresTables,
  postgresSecretKey,
  postgresTables,
} from "./postgres-schema.ts";
import { describePostgresUrl } from "./postgres-url.ts";
import { PostgresStateWriter, type PostgresWriterSettings } from "./postgres-writer.ts";
import { keyringFromHex, type SecretKeyring, withKeyedDigests } from "./secret-key.ts";
import type {
  DeploymentState,
  DeploymentSummary,
  LockHolder,
  OpenOptions,
  StateBackend,
  VersionSummary,
} from "./types.ts";

export interface PostgresBackendOptions {
  /** Schema holding the tables, created on first use (default "mcp_iac"). */
  schema?: string;
  /** Connections for reads and lock look-ups; each open writer has one more of its own (default 4). */
  poolSize?: number;
  /** Committed versions kept per deployment (default 20). */
  historyLimit?: number;
  /** Journal rows that make a writer commit on its own (default 5,000). */
  compactEntries?: number;
  /** Told when an open cleared the lock row of a holder whose session had ended. */
  onNotice?: (message: string) => void;
}

export interface PostgresStateBackend extends StateBackend {
  readonly schema: string;
  open(name: string, options: OpenOptions): Promise<PostgresStateWriter>;
  /** Ends the pool and any writer still open (without committing it). Idempotent. */
  close(): Promise<void>;
}

/**
 * The team backend (design §5): tables `deployments`, `journal`, `history`, `locks` and
 * `lock_epochs` in `schema`, created on first use. The same semantics as the file backend; the
 * lock is a session-level advisory lock held by each writer's own connection, so a writer whose
 * process or connection dies loses it at once, and its lock row is cleared by the next open.
 */
export function createPostgresBackend(
  connectionString: string,
  options: PostgresBackendOptions = {},
): PostgresStateBackend {
  const where = `${describePostgresUrl(connectionString)} (schema ${options.schema ?? "mcp_iac"})`;
  const tables: PostgresTables = postgresTables(options.schema ?? "mcp_iac");
  const settings: PostgresWriterSettings = {
    tables,
    historyLimit: positive(options.historyLimit, 20, "historyLimit"),
    compactEntries: positive(options.compactEntries, 5_000, "compactEntries"),
  };
  const pool = readPool(connectionString, positive(options.poolSize, 4, "poolSize"));
  const writers = new Set<PostgresStateWriter>();
  let ready: Promise<void> | undefined;
  let closed = false;

  /** Tables on first use; every failure becomes an error that names the server, never the password. */
  async function use<T>(work: () => Promise<T>): Promise<T> {
    if (closed) throw new StateError("STATE_BACKEND_CLOSED", `the state backend ${where} is closed`);
    try {
      ready ??= ensurePostgresTables(pool, tables).catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      await ready;
      return await work();
    } catch (error) {
      throw IacError.isInstance(error) ? error : unavailable(where, error);
    }
  }

  let keyring: Promise<SecretKeyring> | undefined;
  function secretKeyring(): Promise<SecretKeyring> {
    keyring ??= use(async () =>
      keyringFromHex(await postgresSecretKey(pool, tables), tables.secretKey),
    ).catch((error: unknown) => {
      keyring = undefined;
      throw error;
    });
    return keyring;
  }

  return {
    schema: tables.schema,
    describe: () => where,
    ...postgresReads(pool, tables, use, secretKeyring),

    async open(name: string, openOptions: OpenOptions): Promise<PostgresStateWriter> {
      assertDeploymentName(name);
      const opening = { connectionString, settings, writers, secretKeyring, onNotice: options.onNotice };
      return use(() => openWriter(name, openOptions, opening));
    },

    secretKeyring,

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...writers].map((writer) => writer.abandon()));
      await pool.end();
    },
  };
}

/** Runs a piece of work with the tables in place, its failures named after the server. */
type Use = <T>(work: () => Promise<T>) => Promise<T>;

/** The pool reads and lock look-ups share; writers each have a connection of their own. */
function readPool(connectionString: string, max: number): Pool {
  const { Pool } = loadPg();
  const pool = new Pool({
    connectionString,
    max,
    idleTimeoutMillis: 10_000,
    // An idle pool must not keep the CLI alive.
    allowExitOnIdle: true,
    application_name: "mcp-iac",
  });
  // A dropped idle connection: the pool replaces it on next use, and that use reports any problem.
  pool.on("error", () => {});
  return pool;
}

/** The backend's reads and lock look-ups: names checked first, then each query through `use`. */
function postgresReads(
  pool: Pool,
  tables: PostgresTables,
  use: Use,
  secretKeyring: () => Promise<SecretKeyring>,
): Omit<StateBackend, "describe" | "open" | "secretKeyring"> {
  /** An older document's bare digests come out keyed, as every newer one stores them. */
  const keyed = (state: DeploymentState | undefined) => withKeyedDigests(state, secretKeyring);

  async function read(name: string): Promise<DeploymentState | undefined> {
    assertDeploymentName(name);
    return keyed(await use(async () => (await loadDeployment(pool, tables, name))?.state));
  }

  return {
    async list(): Promise<DeploymentSummary[]> {
      return summarizeDeployments(await use(() => deploymentNames(pool, tables)), read);
    },

    read,

    async history(name: string): Promise<VersionSummary[]> {
      assertDeploymentName(name);
      return use(() => historySummaries(pool, tables, name));
    },

    async readVersion(name: string, version: number): Promise<DeploymentState | undefined> {
      assertDeploymentName(name);
      assertVersionNumber(version, 2 ** 31 - 1); // an integer column
      return keyed(await use(() => historyDocument(pool, tables, name, version)));
    },

    async forceUnlock(name: string): Promise<LockHolder | undefined> {
      assertDeploymentName(name);
      return use(() => forcePostgresUnlock(pool, tables, name));
    },

    async lockHolder(name: string): Promise<LockHolder | undefined> {
      assertDeploymentName(name);
      return use(async () => (await readLockRow(pool, tables, name))?.holder);
    },
  };
}

interface Opening {
  connectionString: string;
  settings: PostgresWriterSettings;
  /** Open writers, so close() can end them; each removes itself when it shuts. */
  writers: Set<PostgresStateWriter>;
  secretKeyring: () => Promise<SecretKeyring>;
  onNotice: ((message: string) => void) | undefined;
}

/** A writer on a connection of its own, which holds the deployment's advisory lock for its life. */
async function openWriter(
  name: string,
  openOptions: OpenOptions,
  opening: Opening,
): Promise<PostgresStateWriter> {
  const { Client } = loadPg();
  const { writers, secretKeyring } = opening;
  const client = new Client({
    connectionString: opening.connectionString,
    application_name: `mcp-iac ${openOptions.command} ${name}`,
  });
  client.on("error", () => {}); // the writer records it; an unheard "error" event would crash the process
  try {
    await client.connect();
    // Only begins and commits wait for the WAL flush (see PostgresStateWriter).
    await client.query("SET synchronous_commit = off");
    const writer = await PostgresStateWriter.open(client, name, openOptions, opening.settings, () =>
      writers.delete(writer),
    );
    writers.add(writer);
    await writer.keyDigestsWith(secretKeyring).catch(async (error: unknown) => {
      await writer.abandon();
      throw error;
    });
    if (writer.clearedStaleLock) opening.onNotice?.(staleNotice(name, writer.clearedStaleLock));
    return writer;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/** What an open says when it took over from a holder whose session had ended. */
export function staleNotice(deployment: string, holder: LockHolder): string {
  return (
    `deployment "${deployment}": cleared the stale lock of pid ${holder.pid} on host ${holder.host} ` +
    `since ${holder.since} (command: ${holder.command}): its PostgreSQL session had ended, which released the lock; ` +
    `its pending operations, if any, are reconciled by this run`
  );
}

function unavailable(where: string, error: unknown): StateError {
  const reason = error instanceof Error && error.message ? error.message : String(error);
  return new StateError(
    "STATE_BACKEND_UNAVAILABLE",
    `the PostgreSQL state backend ${where} failed: ${reason}`,
    {
      hint: "check that the server is running and that state.backend in mcp-iac.config.yaml points at it",
      cause: error,
    },
  );
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new StateError(
      "STATE_CONFIG_INVALID",
      `${what} must be a whole number of at least 1, not ${value}`,
    );
  }
  return value;
}
