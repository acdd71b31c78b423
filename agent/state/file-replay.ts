import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { isCode } from "./atomic-json-file.ts";
import { type DeploymentPaths, readDocument, type StateDocument } from "./file-layout.ts";
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
export async function replayDeployment(paths: DeploymentPaths): Promise<Replayed | undefined> {
  let last: Replayed | undefined;
  for (let attempt = 0; attempt < GAP_RETRIES; attempt++) {
    const document = await readDocument(paths.document);
    if (!document) return undefined;
    last = fold(document, parseJournal(readJournal(paths.journal)));
    if (!last.gap) return last;
    await sleep(5);
  }
  return last;
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
