export { LockHeldError, StateError } from "./errors.ts";
export { createFileBackend, type FileBackendOptions, type FileStateBackend } from "./file-backend.ts";
export type { FileStats, FsyncMode } from "./file-writer.ts";
export { assertDeploymentName } from "./names.ts";
export {
  createPostgresBackend,
  type PostgresBackendOptions,
  type PostgresStateBackend,
} from "./postgres-backend.ts";
export type {
  DeploymentState,
  DeploymentSummary,
  LastRun,
  LockHolder,
  OpenOptions,
  PendingOperation,
  ResourceRecord,
  StateBackend,
  StateSnapshot,
  StateWriter,
  VersionSummary,
} from "./types.ts";
