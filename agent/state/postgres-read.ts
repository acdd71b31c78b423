import { checkDeploymentState, checkJournalEntry } from "./document-schema.ts";
import { StateError } from "./errors.ts";
import { applyEntry } from "./journal-entry.ts";
import type { Queryable } from "./postgres-lock.ts";
import type { PostgresTables } from "./postgres-schema.ts";
import type { DeploymentState, VersionSummary } from "./types.ts";

export interface LoadedDeployment {
  state: DeploymentState;
  /** The last seq folded in (document or journal). */
  seq: number;
  /** Journal rows applied on top of the document. */
  applied: number;
}

/**
 * The committed document plus its journal rows, replayed with the file backend's `applyEntry`, so
 * a reader sees exactly the writer's live view. One statement, hence one snapshot: a commit
 * running meanwhile is seen either whole or not at all.
 */
export async function loadDeployment(
  q: Queryable,
  tables: PostgresTables,
  name: string,
): Promise<LoadedDeployment | undefined> {
  const { rows } = await q.query<{ document: unknown; seq: string; entries: unknown[] }>(
    `SELECT d.document, d.seq, COALESCE(
       (SELECT json_agg(j.entry ORDER BY j.seq) FROM ${tables.journal} j WHERE j.name = d.name AND j.seq > d.seq),
       '[]'::json) AS entries
     FROM ${tables.deployments} d WHERE d.name = $1`,
    [name],
  );
  const row = rows[0];
  if (!row) return undefined;
  // Checked like a file document on every read: a row of the wrong shape is refused, never read as
  // an empty or partial deployment.
  const hint = restoreHint(tables, name);
  const state = checkDeploymentState(
    row.document,
    `the state of deployment "${name}" in ${tables.deployments}`,
    hint,
  );
  let seq = Number(row.seq);
  for (const value of row.entries) {
    const entry = checkJournalEntry(value, `a journal row of deployment "${name}" (after seq ${seq})`, hint);
    if (entry.seq !== seq + 1) {
      throw new StateError(
        "STATE_CORRUPT",
        `the journal of deployment "${name}" in ${tables.journal} skips from seq ${seq} to ${entry.seq}; changes recorded in between are lost`,
        { hint },
      );
    }
    applyEntry(state, entry);
    seq = entry.seq;
  }
  return { state, seq, applied: row.entries.length };
}

/** How to get a damaged deployment back from the kept versions, then in line with what exists. */
export function restoreHint(tables: PostgresTables, name: string): string {
  const literal = `'${name.replaceAll("'", "''")}'`;
  return (
    `restore the newest kept version: UPDATE ${tables.deployments} d SET document = h.document, version = h.version ` +
    `FROM (SELECT document, version FROM ${tables.history} WHERE name = ${literal} ORDER BY version DESC LIMIT 1) h ` +
    `WHERE d.name = ${literal}; DELETE FROM ${tables.journal} WHERE name = ${literal}; then run \`agent refresh ${name}\` so state matches what exists`
  );
}

export async function deploymentNames(q: Queryable, tables: PostgresTables): Promise<string[]> {
  // "C" collation: the same order as the file backend's sorted file names.
  const { rows } = await q.query<{ name: string }>(
    `SELECT name FROM ${tables.deployments} ORDER BY name COLLATE "C"`,
  );
  return rows.map((row) => row.name);
}

export async function historySummaries(
  q: Queryable,
  tables: PostgresTables,
  name: string,
): Promise<VersionSummary[]> {
  const { rows } = await q.query<{ version: number; updated_at: string; resources: number }>(
    `SELECT version, document->>'updatedAt' AS updated_at,
       (SELECT count(*)::integer FROM jsonb_object_keys(document->'resources')) AS resources
     FROM ${tables.history} WHERE name = $1 ORDER BY version`,
    [name],
  );
  return rows.map((row) => ({ version: row.version, updatedAt: row.updated_at, resources: row.resources }));
}

export async function historyDocument(
  q: Queryable,
  tables: PostgresTables,
  name: string,
  version: number,
): Promise<DeploymentState | undefined> {
  const { rows } = await q.query<{ document: unknown }>(
    `SELECT document FROM ${tables.history} WHERE name = $1 AND version = $2`,
    [name, version],
  );
  const row = rows[0];
  if (!row) return undefined;
  return checkDeploymentState(
    row.document,
    `version ${version} of deployment "${name}" in ${tables.history}`,
    "an older kept version may still read; it is history only, the current state is not affected",
  );
}

/** So a deployment created again after a delete continues its version numbers. */
export async function latestHistoryVersion(
  q: Queryable,
  tables: PostgresTables,
  name: string,
): Promise<number> {
  const { rows } = await q.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${tables.history} WHERE name = $1`,
    [name],
  );
  return rows[0]?.version ?? 0;
}
