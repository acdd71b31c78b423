import { join } from "node:path";
import { Low } from "lowdb";
import { AtomicJsonFile } from "./atomic-json-file.ts";
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

export async function readDocument(path: string): Promise<StateDocument | undefined> {
  const db = documentDb(path);
  await db.read();
  return db.data ?? undefined;
}
