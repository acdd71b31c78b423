import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Low } from "lowdb";
import { AtomicJsonFile, isCode } from "./atomic-json-file.ts";
import { checkDocument } from "./document-schema.ts";
import { StateError } from "./errors.ts";
import { assertDeploymentName } from "./names.ts";
import type { DeploymentState } from "./types.ts";

export const DOCUMENT_FORMAT = "mcp-iac.state/v1";

/** The committed document: the state plus the last journal `seq` folded into it. */
export interface StateDocument {
  format: typeof DOCUMENT_FORMAT;
  seq: number;
  state: DeploymentState;
}

export interface DeploymentPaths {
  stateDir: string;
  document: string;
  journal: string;
  historyDir: string;
  lock: string;
}

/** Where one deployment lives under the backend folder; validates the name first. */
export function deploymentPaths(root: string, name: string): DeploymentPaths {
  assertDeploymentName(name);
  const stateDir = join(root, "state");
  return {
    stateDir,
    document: join(stateDir, `${name}.json`),
    journal: join(stateDir, `${name}.journal`),
    historyDir: join(root, "history", name),
    lock: join(root, "locks", `${name}.lock`),
  };
}

export function historyPath(paths: DeploymentPaths, version: number): string {
  return join(paths.historyDir, `${version}.json`);
}

export function documentDb(path: string, onWrite?: (bytes: number) => void): Low<StateDocument | null> {
  return new Low<StateDocument | null>(new AtomicJsonFile<StateDocument | null>(path, { onWrite }), null);
}

/**
 * The document at `path`, checked against its schema; undefined only when there is no file. A file
 * holding `null`, something else than JSON, or the wrong shape is refused (STATE_CORRUPT) with `hint`.
 */
export async function readDocument(
  path: string,
  hint = "restore it from history",
): Promise<StateDocument | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (isCode(error, "ENOENT")) return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StateError("STATE_CORRUPT", `state file ${path} is not valid JSON`, { hint, cause: error });
  }
  return checkDocument<StateDocument>(value, path, hint);
}

/** Committed versions kept in history, oldest first. */
export function keptVersions(paths: DeploymentPaths): number[] {
  let files: string[];
  try {
    files = readdirSync(paths.historyDir);
  } catch (error) {
    if (isCode(error, "ENOENT")) return [];
    throw error;
  }
  return files
    .map((file) => /^(\d+)\.json$/.exec(file)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** How to get a damaged or missing deployment back: the newest history copy, then a refresh. */
export function restoreHint(paths: DeploymentPaths, name: string): string {
  const latest = keptVersions(paths).at(-1);
  const copy =
    latest === undefined
      ? `no history is kept for it; if the deployment is really gone, remove ${paths.journal} and ${paths.document}`
      : `restore the newest kept version: cp ${historyPath(paths, latest)} ${paths.document} (older ones are in ${paths.historyDir})`;
  return `${copy}; then run \`agent refresh ${name}\` so state matches what exists, and \`--adopt-orphans\` for what it lost`;
}
