import { isJournalEntry } from "./document-schema.ts";
import type { DeploymentState, LastRun, PendingOperation, ResourceRecord, StateSnapshot } from "./types.ts";

/**
 * One recorded change. Writers and readers fold entries with the same `applyEntry`, so a reader's
 * replay is exactly the writer's live view. `seq` grows by one per entry for the deployment's life.
 */
export type JournalEntry = { seq: number; at: string } & JournalChange;

export type JournalChange =
  | { op: "begin"; pending: PendingOperation }
  | { op: "settle"; opId: string; put?: ResourceRecord; remove?: string }
  | { op: "put"; record: ResourceRecord }
  | { op: "remove"; name: string }
  | { op: "snapshot"; snapshot: StateSnapshot }
  | { op: "lastRun"; run: LastRun };

export function emptyState(name: string, version: number, now: string): DeploymentState {
  return { name, version, createdAt: now, updatedAt: now, resources: {}, pending: {}, snapshots: [] };
}

export function applyEntry(state: DeploymentState, entry: JournalEntry): void {
  state.updatedAt = entry.at;
  switch (entry.op) {
    case "begin":
      state.pending[entry.pending.opId] = entry.pending;
      return;
    case "settle":
      delete state.pending[entry.opId];
      if (entry.remove !== undefined) delete state.resources[entry.remove];
      if (entry.put) state.resources[entry.put.name] = entry.put;
      return;
    case "put":
      state.resources[entry.record.name] = entry.record;
      return;
    case "remove":
      delete state.resources[entry.name];
      return;
    case "snapshot":
      state.snapshots.push(entry.snapshot);
      return;
    case "lastRun":
      state.lastRun = entry.run;
      return;
    default: {
      const never: never = entry;
      throw new Error(`unknown journal entry ${JSON.stringify(never)}`);
    }
  }
}

/** A parsed journal: entries in order, and where the intact part ends (a torn tail lies beyond). */
export interface ParsedJournal {
  entries: JournalEntry[];
  /** Byte length of the complete, parseable lines. */
  validBytes: number;
  torn: boolean;
  /** A damaged line with intact lines after it (1-based): not a torn tail, but corruption. */
  brokenLine?: number;
}

/**
 * Splits JSON Lines. The last line, when it lacks its newline or does not parse, is the tail of a
 * write cut off by a kill: it ends the journal, never thrown. A damaged line with intact lines after
 * it is not that: `brokenLine` says where, and the reader refuses the journal.
 */
export function parseJournal(buffer: Buffer): ParsedJournal {
  const entries: JournalEntry[] = [];
  let start = 0;
  let line = 0;
  while (start < buffer.length) {
    line++;
    const end = buffer.indexOf(10, start);
    if (end < 0) return { entries, validBytes: start, torn: true };
    const entry = parseLine(buffer.toString("utf8", start, end));
    if (!entry) {
      const rest = buffer.toString("utf8", end + 1).trim();
      if (rest === "") return { entries, validBytes: start, torn: true };
      return { entries, validBytes: start, torn: false, brokenLine: line };
    }
    entries.push(entry);
    start = end + 1;
  }
  return { entries, validBytes: start, torn: false };
}

function parseLine(line: string): JournalEntry | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isJournalEntry(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
