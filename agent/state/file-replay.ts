import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isCode } from "./atomic-json-file.ts";
import { StateError } from "./errors.ts";
import {
  type DeploymentPaths,
  historyPath,
  keptVersions,
  readDocument,
  restoreHint,
  type StateDocument,
} from "./file-layout.ts";
import { applyEntry, type ParsedJournal, parseJournal } from "./journal-entry.ts";
import type { DeploymentState } from "./types.ts";

export interface Replayed {
  document: StateDocument;
  state: DeploymentState;
  /** The last seq folded in (document or journal). */
  seq: number;
  journal: ParsedJournal;
  /** Journal entries applied on top of the document. */
  applied: number;
  /** An entry after the document's seq was missing, so the rest of the journal was not applied. */
  gap: boolean;
}

const GAP_RETRIES = 20;

/**
 * Document, then the journal lines after the document's seq, in order. Entries at or below the
 * document's seq were folded already (a crash between document rename and journal reset). A gap
 * means a compaction ran between reading the document and the journal: read both again; if it
 * keeps happening, the contiguous prefix is still a state that existed.
 */
export async function replayDeployment(
  paths: DeploymentPaths,
  name = basename(paths.document, ".json"),
): Promise<Replayed | undefined> {
  const hint = restoreHint(paths, name);
  let last: Replayed | undefined;
  for (let attempt = 0; attempt < GAP_RETRIES; attempt++) {
    const document = await readDocument(paths.document, hint);
    if (!document) {
      if (await refuseIfLost(paths, name, hint)) continue;
      return undefined;
    }
    const journal = parseJournal(readJournal(paths.journal));
    if (journal.brokenLine !== undefined) {
      throw new StateError(
        "STATE_CORRUPT",
        `the journal of deployment "${name}" (${paths.journal}) is damaged at line ${journal.brokenLine}, with intact lines after it; changes recorded there cannot be replayed`,
        { hint },
      );
    }
    last = fold(document, journal);
    if (!last.gap) return last;
    await sleep(5);
  }
  if (!last) {
    throw new StateError(
      "STATE_CORRUPT",
      `the state document of deployment "${name}" (${paths.document}) keeps appearing and vanishing while it is read`,
      { hint },
    );
  }
  // Not a compaction racing this read: entries are really missing.
  throw new StateError(
    "STATE_CORRUPT",
    `the journal of deployment "${name}" (${paths.journal}) skips from seq ${last.seq} to a later entry; changes recorded in between are lost`,
    { hint },
  );
}

/**
 * No document. Fine for a deployment never created or destroyed (its last kept version is empty);
 * a loss when the journal holds entries or the newest kept version still had resources. True when
 * the document exists after all: a writer created the deployment between our two looks (it writes
 * the document before the journal's first line), so the caller reads again.
 */
async function refuseIfLost(paths: DeploymentPaths, name: string, hint: string): Promise<boolean> {
  const journalHolds = readJournal(paths.journal).toString("utf8").trim() !== "";
  const latest = keptVersions(paths).at(-1);
  const kept = latest === undefined ? undefined : await readDocument(historyPath(paths, latest), hint);
  const heldSomething =
    kept !== undefined &&
    (Object.keys(kept.state.resources).length > 0 || Object.keys(kept.state.pending).length > 0);
  if (!journalHolds && !heldSomething) return false;
  if (existsSync(paths.document)) return true;
  throw new StateError(
    "STATE_MISSING",
    `the state document of deployment "${name}" (${paths.document}) is missing, but its ${journalHolds ? "journal" : "history"} shows it held resources; nothing is done until it is restored`,
    { hint },
  );
}

function fold(document: StateDocument, journal: ParsedJournal): Replayed {
  const state = document.state;
  let seq = document.seq;
  let applied = 0;
  for (const entry of journal.entries) {
    if (entry.seq <= seq) continue;
    if (entry.seq !== seq + 1) return { document, state, seq, journal, applied, gap: true };
    applyEntry(state, entry);
    seq = entry.seq;
    applied++;
  }
  return { document, state, seq, journal, applied, gap: false };
}

function readJournal(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    if (isCode(error, "ENOENT")) return Buffer.alloc(0);
    throw error;
  }
}
