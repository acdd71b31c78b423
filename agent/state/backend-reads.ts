import { StateError } from "./errors.ts";
import type { DeploymentState, DeploymentSummary } from "./types.ts";

/** One summary per deployment that still reads; one deleted while listing is left out. */
export async function summarizeDeployments(
  names: Iterable<string>,
  read: (name: string) => Promise<DeploymentState | undefined>,
): Promise<DeploymentSummary[]> {
  const summaries: DeploymentSummary[] = [];
  for (const name of names) {
    const state = await read(name);
    if (!state) continue; // deleted while listing
    summaries.push({
      name,
      version: state.version,
      resources: Object.keys(state.resources).length,
      updatedAt: state.updatedAt,
      pending: Object.keys(state.pending).length,
    });
  }
  return summaries;
}

/** A version asked for by the user: a whole number from 1 up to what the backend can store. */
export function assertVersionNumber(version: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(version) || version < 1 || version > max) {
    throw new StateError(
      "STATE_VERSION_INVALID",
      `state version must be a whole number from 1, not ${version}`,
      {
        exitCode: 2,
      },
    );
  }
}
