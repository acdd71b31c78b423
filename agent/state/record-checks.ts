import { StateError } from "./errors.ts";
import type { PendingOperation, ResourceRecord } from "./types.ts";

const ACTIONS = new Set(["create", "update", "replace", "delete"]);

/** Catches engine bugs at the door: a malformed record would otherwise be persisted for good. */
export function assertRecord(record: ResourceRecord, where: string): void {
  const problems: string[] = [];
  for (const key of ["name", "type", "server", "id", "updatedAt"] as const) {
    if (typeof record?.[key] !== "string" || (key !== "id" && record[key] === ""))
      problems.push(`${key} must be a string`);
  }
  for (const key of ["properties", "outputs"] as const) {
    if (typeof record?.[key] !== "object" || record[key] === null) problems.push(`${key} must be an object`);
  }
  if (!Array.isArray(record?.dependsOn)) problems.push("dependsOn must be an array");
  if (record?.status !== "created" && record?.status !== "tainted")
    problems.push(`status must be "created" or "tainted"`);
  if (problems.length > 0) {
    throw new StateError(
      "STATE_RECORD_INVALID",
      `${where}: resource record ${JSON.stringify(record?.name)} is not valid: ${problems.join("; ")}`,
    );
  }
}

export function assertOperation(op: Omit<PendingOperation, "opId" | "startedAt">): void {
  const problems: string[] = [];
  for (const key of ["runId", "name", "type", "server"] as const) {
    if (typeof op?.[key] !== "string" || op[key] === "") problems.push(`${key} must be a non-empty string`);
  }
  if (!ACTIONS.has(op?.action)) problems.push(`action must be one of create, update, replace, delete`);
  if (op?.id !== undefined && typeof op.id !== "string") problems.push("id must be a string when given");
  if (op?.operationId !== undefined && (typeof op.operationId !== "string" || op.operationId === ""))
    problems.push("operationId must be a non-empty string when given");
  if (problems.length > 0) {
    throw new StateError(
      "STATE_OPERATION_INVALID",
      `beginOperation: operation on ${JSON.stringify(op?.name)} is not valid: ${problems.join("; ")}`,
    );
  }
}
