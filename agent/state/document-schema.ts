import { z } from "zod";
import { StateError } from "./errors.ts";
import type { JournalEntry } from "./journal-entry.ts";
import type { DeploymentState } from "./types.ts";

/**
 * The shapes state is stored in, checked on every read: a document or journal entry that does not
 * fit is refused with what is wrong, never read as an empty or partial deployment.
 */
const text = z.string();
const map = z.record(z.string(), z.unknown());

export const ResourceRecordSchema = z.object({
  name: text.min(1),
  type: text.min(1),
  server: text.min(1),
  id: text,
  properties: map,
  outputs: map,
  dependsOn: z.array(text),
  status: z.enum(["created", "tainted"]),
  updatedAt: text,
});

export const PendingOperationSchema = z.object({
  opId: text.min(1),
  runId: text,
  name: text.min(1),
  type: text.min(1),
  server: text.min(1),
  action: z.enum(["create", "update", "replace", "delete"]),
  id: text.optional(),
  operationId: text.optional(),
  startedAt: text,
});

const SnapshotSchema = z.object({ server: text, snapshotId: text, createdAt: text, runId: text });
const LastRunSchema = z.object({ runId: text, command: text, outcome: text, finishedAt: text });

export const DeploymentStateSchema = z
  .object({
    name: text.min(1),
    version: z.number().int().min(0),
    createdAt: text,
    updatedAt: text,
    resources: z.record(z.string(), ResourceRecordSchema),
    pending: z.record(z.string(), PendingOperationSchema),
    snapshots: z.array(SnapshotSchema),
    lastRun: LastRunSchema.optional(),
  })
  .superRefine((state, context) => {
    for (const [key, record] of Object.entries(state.resources)) {
      if (record.name !== key)
        context.addIssue({ code: "custom", path: ["resources", key, "name"], message: `is ${record.name}` });
    }
  });

export const StateDocumentSchema = z.object({
  format: z.literal("mcp-iac.state/v1"),
  seq: z.number().int().min(0),
  state: DeploymentStateSchema,
});

const JournalEntrySchema = z.discriminatedUnion("op", [
  z.object({ seq: z.number().int(), at: text, op: z.literal("begin"), pending: PendingOperationSchema }),
  z.object({
    seq: z.number().int(),
    at: text,
    op: z.literal("settle"),
    opId: text,
    put: ResourceRecordSchema.optional(),
    remove: text.optional(),
  }),
  z.object({ seq: z.number().int(), at: text, op: z.literal("put"), record: ResourceRecordSchema }),
  z.object({ seq: z.number().int(), at: text, op: z.literal("remove"), name: text }),
  z.object({ seq: z.number().int(), at: text, op: z.literal("snapshot"), snapshot: SnapshotSchema }),
  z.object({ seq: z.number().int(), at: text, op: z.literal("lastRun"), run: LastRunSchema }),
]);

/** The first problem, as a path and a message a person can act on. */
function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "it does not have the expected shape";
  const path = issue.path.map(String).join(".");
  return `${path || "the whole document"}: ${issue.message}`;
}

/** A document as stored, or a StateError saying what is wrong and how to restore it. */
export function checkDocument<T>(value: unknown, where: string, hint: string): T {
  return checkShape<T>(StateDocumentSchema, value, `state file ${where}`, hint);
}

/**
 * A deployment as a database stores it (no file wrapper), refused the same way as a file:
 * STATE_CORRUPT, what is wrong, and how to restore it.
 */
export function checkDeploymentState(value: unknown, what: string, hint: string): DeploymentState {
  return checkShape<DeploymentState>(DeploymentStateSchema, value, what, hint);
}

/** A journal entry as a database stores it, refused like a damaged journal line. */
export function checkJournalEntry(value: unknown, what: string, hint: string): JournalEntry {
  const parsed = JournalEntrySchema.safeParse(value);
  if (parsed.success) return value as JournalEntry;
  throw new StateError(
    "STATE_CORRUPT",
    `${what} is not a valid journal entry (${firstProblem(parsed.error)}); changes recorded there cannot be replayed`,
    { hint },
  );
}

function checkShape<T>(schema: z.ZodType, value: unknown, what: string, hint: string): T {
  if (value === null || value === undefined)
    throw new StateError("STATE_CORRUPT", `${what} holds ${String(value)}, not a deployment`, { hint });
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new StateError(
      "STATE_CORRUPT",
      `${what} is not a valid state document (${firstProblem(parsed.error)})`,
      { hint },
    );
  return value as T;
}

/** One journal line's value, if it has the shape of an entry. */
export function isJournalEntry(value: unknown): value is JournalEntry {
  return JournalEntrySchema.safeParse(value).success;
}
