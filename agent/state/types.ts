import type { SecretKeyring } from "./secret-key.ts";

/**
 * The deployment state model and the backend contract (design §5). Backend-neutral: the file backend
 * and the PostgreSQL backend implement the same interfaces and pass the same suite
 * (`backend-suite.ts`).
 */

export interface ResourceRecord {
  name: string;
  type: string;
  server: string;
  id: string;
  /** Secrets are already replaced by digests by the caller; the store never sees clear values. */
  properties: Record<string, unknown>;
  outputs: Record<string, unknown>;
  dependsOn: string[];
  status: "created" | "tainted";
  updatedAt: string;
}

/** Recorded before a provider is called, settled after; found pending after a crash it is reconciled. */
export interface PendingOperation {
  opId: string;
  runId: string;
  name: string;
  type: string;
  server: string;
  action: "create" | "update" | "replace" | "delete";
  id?: string;
  /** The change's idempotency key, sent to the provider; the same across retries and crash recovery. */
  operationId?: string;
  startedAt: string;
}

export interface StateSnapshot {
  server: string;
  snapshotId: string;
  createdAt: string;
  runId: string;
}

export interface LastRun {
  runId: string;
  command: string;
  outcome: string;
  finishedAt: string;
}

export interface DeploymentState {
  name: string;
  /** The last committed version; changes recorded since then are included but not yet versioned. */
  version: number;
  createdAt: string;
  updatedAt: string;
  resources: Record<string, ResourceRecord>;
  pending: Record<string, PendingOperation>;
  snapshots: StateSnapshot[];
  lastRun?: LastRun;
}

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  command: string;
  /** The host's boot id and the process's start time (clock ticks since boot): with the pid they
   *  prove the holder dead when that pid is gone or now names a younger process. */
  bootId?: string;
  startTicks?: number;
}

export interface DeploymentSummary {
  name: string;
  version: number;
  resources: number;
  updatedAt: string;
  pending: number;
}

export interface VersionSummary {
  version: number;
  updatedAt: string;
  resources: number;
}

export interface OpenOptions {
  /** What takes the lock ("apply", "destroy"); shown to a second writer. */
  command: string;
  /** Wait up to this long for the lock instead of failing at once. */
  waitMs?: number;
  /** Told once whom the wait is for, when the lock is held by someone else. */
  onWait?: (holder: LockHolder) => void;
  /** Told when the lock of a provably dead holder on this host was taken over. */
  onTakeover?: (holder: LockHolder) => void;
}

export interface StateBackend {
  /** Where the state lives, for humans: "file .mcp-iac/state". */
  describe(): string;
  list(): Promise<DeploymentSummary[]>;
  /** The committed document plus every change recorded since; never throws on a torn journal tail. */
  read(name: string): Promise<DeploymentState | undefined>;
  /** Committed versions still kept, oldest first. */
  history(name: string): Promise<VersionSummary[]>;
  readVersion(name: string, version: number): Promise<DeploymentState | undefined>;
  /** Takes the deployment's lock; fails at once with `LockHeldError` unless `waitMs` is given. */
  open(name: string, options: OpenOptions): Promise<StateWriter>;
  /** Breaks the lock whoever holds it; returns the holder it removed. */
  forceUnlock(name: string): Promise<LockHolder | undefined>;
  lockHolder(name: string): Promise<LockHolder | undefined>;
  /** The workspace key secret digests are stored under (made on first use, kept beside the state). */
  secretKeyring(): Promise<SecretKeyring>;
}

export interface StateWriter {
  /** Live in-memory view, updated by the calls below. Do not mutate it directly. */
  readonly state: DeploymentState;
  /** Durable before it resolves: call it before the provider is called. */
  beginOperation(op: Omit<PendingOperation, "opId" | "startedAt">): Promise<PendingOperation>;
  settleOperation(opId: string, outcome: { put?: ResourceRecord; remove?: string }): Promise<void>;
  putResource(record: ResourceRecord): Promise<void>;
  removeResource(name: string): Promise<void>;
  addSnapshot(snapshot: StateSnapshot): Promise<void>;
  setLastRun(run: LastRun): Promise<void>;
  /** Folds recorded changes into a new version; returns the version (unchanged when nothing changed). */
  commit(): Promise<number>;
  /** Commits if anything changed and releases the lock. Idempotent. */
  close(): Promise<void>;
  /** Removes the deployment's state entirely (after destroy); its history is kept. Releases the lock. */
  delete(): Promise<void>;
}

export { LockHeldError, StateError } from "./errors.ts";
