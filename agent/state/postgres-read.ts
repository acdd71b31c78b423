import { applyEntry, type JournalEntry } from "./journal-entry.ts";
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
  const { rows } = await q.query<{ document: DeploymentState; seq: string; entries: JournalEntry[] }>(
    `SELECT d.document, d.seq, COALESCE(
       (SELECT json_agg(j.entry ORDER BY j.seq) FROM ${tables.journal} j WHERE j.name = d.name AND j.seq > d.seq),
       '[]'::json) AS entries
     FROM ${tables.deployments} d WHERE d.name = $1`,
    [name],
  );
  const row = rows[0];
  if (!row) return undefined;
  const state = row.document;
  let seq = Number(row.seq);
  for (const entry of row.entries) {
    applyEntry(state, entry);
    seq = entry.seq;
  }
  return { state, seq, applied: row.entries.length };
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
  const { rows } = await q.query<{ document: DeploymentState }>(
    `SELECT document FROM ${tables.history} WHERE name = $1 AND version = $2`,
    [name, version],
  );
  return rows[0]?.document;
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
