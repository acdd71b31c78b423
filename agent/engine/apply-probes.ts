import { type Change, diffProperties, type OperationResult } from "../../tools/protocol/index.ts";
import type { ApplyContext } from "./apply-context.ts";
import type { PlannedChange } from "./plan-types.ts";
import { probeServer, serverBroken } from "./server-health.ts";

/**
 * Asks (once per server per run) whether the provider lists a resource of ours by this name and
 * type. Found and equal to what is wanted: adopted as is (returned). Found but different: `send`
 * becomes an update (or replace) of it. Not found, or the listing failed: a plain create.
 */
export async function adoptListed(
  ctx: ApplyContext,
  change: PlannedChange,
  send: Change,
): Promise<OperationResult | "down" | undefined> {
  const probe = await ctx.listing.find(change.server, change);
  if (!probe.alive && (probe.error.code === "TIMEOUT" || serverBroken(probe.error))) {
    ctx.health.markDown(change.server, probe.error.message);
    return "down";
  }
  const found = probe.alive ? probe.found : undefined;
  if (!found) return undefined;
  const info = ctx.planned.types.get(change.type)?.info;
  const diff = diffProperties(found.properties, send.after ?? {}, info?.replaceOnChange ?? []);
  ctx.emit({
    type: "notice",
    level: "warn",
    message: `${change.name}: ${change.server} already has it (${found.id}) though state did not; adopting it${diff.length > 0 ? " and bringing it to the spec" : ""} instead of creating a duplicate`,
  });
  if (diff.length === 0)
    return { name: change.name, status: "succeeded", id: found.id, outputs: found.outputs };
  send.action = diff.some((entry) => entry.forcesReplacement) ? "replace" : "update";
  send.id = found.id;
  send.before = found.properties;
  send.outputs = found.outputs;
  send.diff = diff;
  return undefined;
}

/**
 * The answer to an apply was lost: ask the server what exists before sending anything again. A
 * create (or the new half of a replace) it made anyway is adopted; a server that does not answer
 * the probe either is down for the rest of the run.
 */
export async function askAfterLostAnswer(
  ctx: ApplyContext,
  change: PlannedChange,
  error: { code: string; message: string },
): Promise<OperationResult | undefined> {
  const probe = await probeServer(
    ctx.gateway,
    change.server,
    ctx.deploymentId,
    change,
    ctx.options.callTimeoutMs,
  );
  if (!probe.alive) {
    ctx.health.markDown(change.server, `${error.message}; then ${probe.error.message}`);
    return undefined;
  }
  const found = probe.found;
  if (!found || (change.action !== "create" && change.action !== "replace")) return undefined;
  if (change.action === "replace" && found.id === change.id) return undefined;
  ctx.emit({
    type: "notice",
    level: "info",
    message: `${change.name}: the answer of ${change.server} was lost (${error.code}), but it made the resource (${found.id}); adopted it instead of sending the ${change.action} again`,
  });
  return { name: change.name, status: "succeeded", id: found.id, outputs: found.outputs };
}
