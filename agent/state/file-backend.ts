import { readdirSync } from "node:fs";
import { join } from "node:path";
import { isCode } from "./atomic-json-file.ts";
import { assertVersionNumber, summarizeDeployments } from "./backend-reads.ts";
import { StateError } from "./errors.ts";
import { type DeploymentPaths, deploymentPaths, historyPath, readDocument } from "./file-layout.ts";
import { readLockHolder, removeLock } from "./file-lock.ts";
import { replayDeployment } from "./file-replay.ts";
import {
  FileStateWriter,
  type FileStats,
  type FileWriterSettings,
  type FsyncMode,
  historyVersions,
} from "./file-writer.ts";
import { assertDeploymentName } from "./names.ts";
import { fileSecretKey, type SecretKeyring, withKeyedDigests } from "./secret-key.ts";
import type {
  DeploymentState,
  DeploymentSummary,
  LockHolder,
  OpenOptions,
  StateBackend,
  VersionSummary,
} from "./types.ts";

export interface FileBackendOptions {
  /** See `FsyncMode`; default "begin". */
  fsync?: FsyncMode;
  /** Journal entries that trigger a compaction (default 5,000). */
  compactEntries?: number;
  /** Journal bytes that trigger a compaction (default 4 MiB). */
  compactBytes?: number;
  /** Committed versions kept per deployment (default 20). */
  historyLimit?: number;
}

export interface FileStateBackend extends StateBackend {
  readonly dir: string;
  /** What this backend instance has written so far (for benchmarks and the linearity test). */
  stats(): FileStats;
}

/**
 * The default backend (design §5): under `dir`, per deployment `state/<name>.json` (the committed
 * document, via lowdb with an atomic adapter), `state/<name>.journal` (JSON Lines since the last
 * commit), `history/<name>/<version>.json` and `locks/<name>.lock`.
 */
export function createFileBackend(dir = ".mcp-iac", options: FileBackendOptions = {}): FileStateBackend {
  const settings = writerSettings(options);
  const { stats } = settings;
  const paths = (name: string) => deploymentPaths(dir, name);
  let keyring: SecretKeyring | undefined;
  const secretKeyring = async () => {
    keyring ??= fileSecretKey(join(dir, "state"));
    return keyring;
  };
  /** An older document's bare digests come out keyed, as every newer one stores them. */
  const keyed = (state: DeploymentState | undefined) => withKeyedDigests(state, secretKeyring);

  async function read(name: string): Promise<DeploymentState | undefined> {
    return keyed((await replayDeployment(paths(name)))?.state);
  }

  return {
    dir,
    stats: () => ({ ...stats }),
    describe: () => `file ${join(dir, "state")}`,

    async list(): Promise<DeploymentSummary[]> {
      return summarizeDeployments(documentNames(join(dir, "state")), read);
    },

    read,

    history: (name: string) => historySummaries(paths(name)),

    async readVersion(name: string, version: number): Promise<DeploymentState | undefined> {
      assertVersionNumber(version);
      return keyed((await readDocument(historyPath(paths(name), version)))?.state);
    },

    async open(name: string, openOptions: OpenOptions) {
      const writer = await FileStateWriter.open(paths(name), name, openOptions, settings);
      try {
        await writer.keyDigestsWith(secretKeyring);
      } catch (error) {
        await writer.close();
        throw error;
      }
      return writer;
    },

    secretKeyring,

    async forceUnlock(name: string): Promise<LockHolder | undefined> {
      const { lock } = paths(name);
      const holder = readLockHolder(lock);
      if (holder) removeLock(lock);
      return holder;
    },

    async lockHolder(name: string): Promise<LockHolder | undefined> {
      return readLockHolder(paths(name).lock);
    },
  };
}

/** The options checked and filled in, with the counters every writer of this backend adds to. */
function writerSettings(options: FileBackendOptions): FileWriterSettings {
  const stats: FileStats = {
    journalBytes: 0,
    documentBytes: 0,
    historyBytes: 0,
    compactions: 0,
    journalSyncs: 0,
    journalWrites: 0,
  };
  const settings: FileWriterSettings = {
    fsync: options.fsync ?? "begin",
    compactEntries: positive(options.compactEntries, 5_000, "compactEntries"),
    compactBytes: positive(options.compactBytes, 4 * 1024 * 1024, "compactBytes"),
    historyLimit: positive(options.historyLimit, 20, "historyLimit"),
    stats,
  };
  if (!["begin", "always", "never"].includes(settings.fsync)) {
    throw new StateError(
      "STATE_CONFIG_INVALID",
      `fsync must be "begin", "always" or "never", not ${settings.fsync}`,
    );
  }
  return settings;
}

async function historySummaries(where: DeploymentPaths): Promise<VersionSummary[]> {
  const summaries: VersionSummary[] = [];
  for (const version of historyVersions(where)) {
    const document = await readDocument(historyPath(where, version));
    if (!document) continue; // pruned while listing
    const { state } = document;
    summaries.push({
      version,
      updatedAt: state.updatedAt,
      resources: Object.keys(state.resources).length,
    });
  }
  return summaries;
}

function documentNames(stateDir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(stateDir);
  } catch (error) {
    if (isCode(error, "ENOENT")) return [];
    throw error;
  }
  return files
    .filter((file) => file.endsWith(".json") && !file.startsWith("."))
    .map((file) => file.slice(0, -".json".length))
    .filter(isValidName)
    .sort();
}

function isValidName(name: string): boolean {
  try {
    assertDeploymentName(name);
    return true;
  } catch {
    return false;
  }
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) {
    throw new StateError("STATE_CONFIG_INVALID", `${what} must be a number of at least 1, not ${value}`);
  }
  return value;
}
