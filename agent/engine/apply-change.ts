import { randomUUID } from "node:crypto";
import {
  type Change,
  containsUnknown,
  type OperationResult,
  type PropertyMap,
  type ProviderErrorBody,
  type Resource,
} from "../../tools/protocol/index.ts";
import type { PendingOperation, ResourceRecord } from "../state/index.ts";
import { type ApplyContext, fail } from "./apply-context.ts";
import { adoptListed, askAfterLostAnswer } from "./apply-probes.ts";
import { describeCheck, runCheck } from "./checks.ts";
import { withRetries } from "./executor.ts";
import type { PlannedChange } from "./plan-types.ts";
import { makeRecord } from "./records.ts";
import { resolveReferences } from "./references.ts";
import { DEFAULT_RETRY } from "./retry.ts";
import { digestsForProvider } from "./secrets.ts";
import { answerLost } from "./server-health.ts";

/** What one change sends, and how: a create-before-destroy may fall back to destroy-first. */
interface Sending {
  send: Change;
  /** The change as planned (replace in place), for that fallback. */
  classic: Change;
  createFirst: boolean;
  current: ResourceRecord | undefined;
}

/**
 * Applies one planned change: resolves its references, records it as pending, sends it (with
 * retries), settles it in state and runs its checks. Resolves true when it succeeded.
 */
export async function runChange(ctx: ApplyContext, change: PlannedChange): Promise<boolean> {
  const begun = performance.now();
  if (ctx.health.down(change.server))
    return ctx.settleFailure(
      change,
      0,
      ctx.health.refusal(change.server, `${change.action} of ${change.name}`),
    );
  const desired = ctx.planned.graph.nodes.get(change.name)?.resource;
  const after =
    desired && change.action !== "delete"
      ? resolveReferences(desired.properties, (r) => ctx.lookup(r))
      : undefined;
  if (after && containsUnknown(after)) {
    const message = `${change.name}: a value it references is still unknown after its dependencies were applied`;
    return ctx.settleFailure(change, 0, fail("DEPENDENCY_FAILED", message));
  }
  if (after) ctx.resolvedProperties.set(change.name, after);
  const sending = prepareSending(ctx, change, after);
  // A record lost from state must not become a duplicate: what the provider already lists as ours
  // under this name is adopted (and brought to the desired properties) instead of created again.
  const adoptedAsIs = change.action === "create" ? await adoptListed(ctx, change, sending.send) : undefined;
  if (adoptedAsIs === "down")
    return ctx.settleFailure(change, 0, ctx.health.refusal(change.server, `create of ${change.name}`));
  const operation = await ctx.writer.beginOperation({
    runId: ctx.options.runId,
    name: change.name,
    type: change.type,
    server: change.server,
    action: sending.send.action as "create" | "update" | "replace" | "delete",
    ...(sending.send.operationId ? { operationId: sending.send.operationId } : {}),
    // A create-first's id is the old resource's, not what this operation makes.
    ...(sending.send.id && !sending.createFirst ? { id: sending.send.id } : {}),
  });
  const sent = adoptedAsIs
    ? { result: adoptedAsIs, attempts: 0 }
    : await sendWithRetries(ctx, change, sending);
  if (!sent.result) return failedAfterSending(ctx, change, operation, sent);
  const record = await settleSuccess(ctx, change, operation, sent.result, after, sending);
  if (!(await runChecks(ctx, change, desired, record, sent.attempts))) return false;
  const durationMs = performance.now() - begun;
  const id = record?.id ?? change.id;
  ctx.results.set(change.name, {
    name: change.name,
    action: change.action,
    server: change.server,
    status: "succeeded",
    attempts: sent.attempts,
    durationMs,
    ...(id ? { id } : {}),
  });
  ctx.emit({
    type: "change.succeeded",
    name: change.name,
    action: change.action,
    durationMs,
    ...(record ? { id: record.id } : {}),
  });
  return true;
}

function prepareSending(ctx: ApplyContext, change: PlannedChange, after: PropertyMap | undefined): Sending {
  const current = ctx.planned.current.get(change.name);
  // One key for this change across its retries; a create an interrupted run left open keeps its own.
  const reopened = change.action === "create" || change.action === "replace";
  const operationId = (reopened ? ctx.options.operationIds?.get(change.name) : undefined) ?? randomUUID();
  const createFirst = change.action === "replace" && change.createBeforeDestroy === true && !!current;
  const classic: Change = {
    name: change.name,
    type: change.type,
    action: change.action,
    operationId,
    diff: change.diff,
    ...(change.id ? { id: change.id } : {}),
    ...(current ? { before: digestsForProvider(current.properties, after), outputs: current.outputs } : {}),
    ...(after ? { after } : {}),
  };
  // Create before destroy: the new one alongside the old, which goes once its users have moved.
  const send: Change = createFirst
    ? {
        name: change.name,
        type: change.type,
        action: "create",
        operationId,
        diff: change.diff,
        // The one it replaces: the provider leaves it alone (never adopts it) until it is retired.
        ...(change.id ? { id: change.id } : {}),
        ...(after ? { after } : {}),
      }
    : classic;
  return { send, classic, createFirst, current };
}

async function sendWithRetries(ctx: ApplyContext, change: PlannedChange, sending: Sending) {
  return withRetries<OperationResult>(
    (attempt) => {
      ctx.emit({
        type: "change.started",
        name: change.name,
        action: change.action,
        server: change.server,
        attempt,
      });
      return ctx.batcher.send(change.server, sending.send);
    },
    {
      policy: ctx.options.retry ?? DEFAULT_RETRY,
      server: change.server,
      health: ctx.health,
      onRetry: (attempt, delayMs, error) =>
        ctx.emit({ type: "change.retrying", name: change.name, attempt, delayMs, error }),
      recover: async (error) => {
        if (sending.createFirst && error.code === "ALREADY_EXISTS") {
          // The platform allows one at a time (a unique name): replace in place after all.
          ctx.emit({
            type: "notice",
            level: "warn",
            message: `${change.name}: the new one cannot exist beside the old (${error.message}); replacing it destroy-first`,
          });
          sending.createFirst = false;
          sending.send = sending.classic;
          return "again";
        }
        return answerLost(error) ? askAfterLostAnswer(ctx, change, error) : undefined;
      },
    },
  );
}

async function failedAfterSending(
  ctx: ApplyContext,
  change: PlannedChange,
  operation: PendingOperation,
  sent: { error?: ProviderErrorBody; attempts: number },
): Promise<false> {
  // What the provider did before failing is not known for sure: ask it, so state stays true.
  // A server that stopped answering is not asked: the operation stays pending for the next run.
  if (!ctx.health.down(change.server)) await ctx.settleAgainstReality(operation);
  // A failed create the provider made anyway is now in state (adopted): it is this run's to undo.
  const adopted = ctx.writer.state.resources[change.name];
  if (change.action === "create" && adopted && !ctx.planned.current.has(change.name)) {
    ctx.applied.push({ change, record: adopted });
    ctx.emit({
      type: "notice",
      level: "warn",
      message: `${change.name}: the failed create left ${adopted.id} behind; state holds it, and a rollback deletes it`,
    });
  }
  return ctx.settleFailure(change, sent.attempts, sent.error ?? fail("INTERNAL", "no result"));
}

async function settleSuccess(
  ctx: ApplyContext,
  change: PlannedChange,
  operation: PendingOperation,
  result: OperationResult,
  after: PropertyMap | undefined,
  sending: Sending,
): Promise<ResourceRecord | undefined> {
  let record: ResourceRecord | undefined;
  if (change.action === "delete") {
    await ctx.writer.settleOperation(operation.opId, { remove: change.name });
    ctx.outputs.delete(change.name);
  } else {
    let entry = ctx.planned.types.get(change.type);
    if (!entry) {
      await ctx.catalog.load([change.type]);
      entry = await ctx.catalog.entry(change.type);
    }
    record = makeRecord({
      name: change.name,
      type: change.type,
      server: change.server,
      id: result.id ?? change.id ?? "",
      properties: after ?? {},
      outputs: result.outputs ?? {},
      dependsOn: change.deps,
      info: entry?.info,
      secretKeys: ctx.planned.secrets.keys(change.name),
    });
    await ctx.writer.settleOperation(operation.opId, { put: record });
    ctx.outputs.set(change.name, result.outputs ?? {});
  }
  const { current } = sending;
  if (sending.createFirst && current) {
    ctx.retired.push(current);
    ctx.applied.push({
      change: { ...change, action: "create" },
      ...(record ? { record } : {}),
      restore: current,
    });
  } else ctx.applied.push({ change, ...(record ? { record } : {}) });
  return record;
}

/** Runs the resource's checks; the first that fails fails the change. */
async function runChecks(
  ctx: ApplyContext,
  change: PlannedChange,
  desired: Resource | undefined,
  record: ResourceRecord | undefined,
  attempts: number,
): Promise<boolean> {
  for (const check of desired?.checks ?? []) {
    const resolvedCheck = resolveReferences(check, (reference) => ctx.lookup(reference));
    const rawReason = await runCheck(resolvedCheck);
    // A check that reads a secret is shown as written, and its secret values never leave here.
    const hidden = secretTexts(ctx, ctx.planned.secrets.secretReferences(check));
    const shown = describeCheck(hidden.length > 0 ? check : resolvedCheck);
    const reason = rawReason === undefined ? undefined : maskTexts(rawReason, hidden);
    if (reason) {
      ctx.emit({ type: "check.failed", name: change.name, check: shown, message: reason });
      const error = fail("DEPENDENCY_FAILED", `check ${shown} failed: ${reason}`);
      return ctx.settleFailure(change, attempts, error, record?.id);
    }
    ctx.emit({ type: "check.passed", name: change.name, check: shown });
  }
  return true;
}

function secretTexts(
  ctx: ApplyContext,
  references: { target: string; path: (string | number)[]; text: string }[],
): string[] {
  return references
    .map((reference) => ctx.lookup(reference))
    .map((value) => (typeof value === "string" ? value : JSON.stringify(value)))
    .filter((value): value is string => typeof value === "string" && value.length > 0);
}

function maskTexts(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("(sensitive)");
  return out;
}
